import { BaseSequencer, type TestSpecification } from "vitest/node";

// On a clean clone vitest has no durations cached and starts the largest files first; a small
// file that waits long (fleet pacing, a rollout) then starts last and the run ends on it alone
// while the other workers idle. These files took longest in a clean-clone `npm test` on the
// 2-core reference machine (2026-12-04, seconds): they start first, the rest keep vitest's order.
const LONGEST = [
  "test/fault/config-push.test.ts", // 99
  "test/fault/agent-sigkill.test.ts", // 80
  "test/e2e/rollout.test.ts", // 68
  "test/e2e/sparkplug-north.test.ts", // 40–80
  "test/e2e/install.test.ts", // 45
  "test/e2e/reconnect.test.ts", // 44
  "test/e2e/opcua.test.ts", // 38
  "test/e2e/opcua-security.test.ts", // 30
  "test/e2e/fleet-pacing.test.ts", // 29
  "test/e2e/commission-profile.test.ts", // 25
  "agent/src/remote/device-secrets.test.ts", // 16
  "simulators/src/cli.test.ts", // 13
];

const rank = (spec: TestSpecification) => {
  const i = LONGEST.findIndex((path) => spec.moduleId.endsWith(path));
  return i === -1 ? LONGEST.length : i;
};

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    // Projects stay in vitest's order (they run one after another); within one, the longest first.
    const projects = [...new Set(sorted.map((spec) => spec.project.name))];
    const key = (spec: TestSpecification, i: number) => [projects.indexOf(spec.project.name), rank(spec), i];
    return sorted
      .map((spec, i) => ({ spec, key: key(spec, i) }))
      .sort(
        (a, b) =>
          (a.key[0] as number) - (b.key[0] as number) ||
          (a.key[1] as number) - (b.key[1] as number) ||
          (a.key[2] as number) - (b.key[2] as number),
      )
      .map(({ spec }) => spec);
  }
}
