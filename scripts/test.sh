#!/usr/bin/env bash
# `npm test`: everything CI runs. Projects run one after another so real-process tests never
# compete with each other for this machine's two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run build
npm run typecheck
npm run lint
rm -rf .tidegate/test-results
for project in unit e2e e2e-lines fault; do
  npx vitest run --project "$project" --reporter=default --reporter=json \
    --outputFile.json=".tidegate/test-results/$project.json"
done
node scripts/test-summary.mjs
