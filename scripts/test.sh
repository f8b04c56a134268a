#!/usr/bin/env bash
# `npm test`: everything CI runs. The projects run one after another, so real-process tests never
# compete with each other for this machine's two cores; the type check and lint run beside the
# fault scenarios, which mostly wait (ack waits, restarts, backoff: a sixth of the two cores).
# Every project runs even when an earlier one failed, so one run shows every failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run build
rm -rf .tidegate/test-results
mkdir -p .tidegate/test-results

failed=()
run_project() {
  local started=$SECONDS
  npx vitest run --project "$1" --reporter=default --reporter=json \
    --outputFile.json=".tidegate/test-results/$1.json" || failed+=("$1")
  echo "test project $1: $((SECONDS - started)) s"
}

for project in unit e2e e2e-lines; do run_project "$project"; done

static_log=.tidegate/test-results/static.log
(npm run typecheck && npm run lint) >"$static_log" 2>&1 &
static=$!
run_project fault
wait "$static" || failed+=("typecheck/lint")
cat "$static_log"

node scripts/test-summary.mjs || true
if [ "${#failed[@]}" -gt 0 ]; then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
