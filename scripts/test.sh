#!/usr/bin/env bash
# `npm test`: everything CI runs. The projects run one after another, so real-process tests never
# compete with each other for this machine's two cores; the type check and lint run beside the
# fault scenarios, which mostly wait (ack waits, restarts, backoff: a sixth of the two cores).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run build
rm -rf .tidegate/test-results
mkdir -p .tidegate/test-results

run_project() {
  npx vitest run --project "$1" --reporter=default --reporter=json \
    --outputFile.json=".tidegate/test-results/$1.json"
}

for project in unit e2e e2e-lines; do run_project "$project"; done

static_log=.tidegate/test-results/static.log
(npm run typecheck && npm run lint) >"$static_log" 2>&1 &
static=$!
fault_status=0
run_project fault || fault_status=$?
static_status=0
wait "$static" || static_status=$?
cat "$static_log"
if [ "$static_status" -ne 0 ]; then echo "typecheck or lint failed (above)" >&2; fi

node scripts/test-summary.mjs
[ "$fault_status" -eq 0 ] && [ "$static_status" -eq 0 ]
