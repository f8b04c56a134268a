// Prints one closing line for CI over every vitest project run by `npm test`:
// "<passed> passed, <failed> failed" (vitest's own summary is per project).
import { existsSync, readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
for (const project of ["unit", "e2e", "e2e-lines", "fault"]) {
  const file = `.tidegate/test-results/${project}.json`;
  if (!existsSync(file)) {
    console.error(`test-summary: no results for ${project} (${file})`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(readFileSync(file, "utf8"));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
}
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
