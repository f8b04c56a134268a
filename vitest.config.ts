import { defineConfig } from "vitest/config";

// Four projects, run one after another by scripts/test.sh: `unit` is pure logic and in-process HTTP
// (fast loop: npm run test:unit), two files at a time; `e2e` starts real servers (nats-server,
// Modbus TCP, SQLite on disk) on free ports, three files at a time: they mostly wait on sockets and
// timers; `fault` kills and restarts those real processes (npx vitest run --project fault), two
// files at a time (three took the same 134 s: the longest scenario sets the pace): a scenario spends most of its time waiting for an ack wait, a restart or a
// backoff (a sixth of the two cores, one at a time), and its checks (0 lost, 0 duplicated) hold
// whatever moment a kill lands on. Timeouts are generous because a killed collector's messages
// come back only after the consumer's ack wait.
// Simulated RS-485 lines answer within a scan's 60–100 ms window only when their process gets the
// CPU in time; next to another test file a device at the end of a sweep was missed. These run
// one at a time, after the other e2e files.
const LINE_TIMED = [
  "test/e2e/commission-scan.test.ts",
  "test/e2e/commission-shared-line.test.ts",
  "test/e2e/commission-page.test.ts",
];

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["*/src/**/*.test.ts", "*/src/**/*.test.tsx"],
          environment: "node",
          // Vitest's default for `run` is one worker fewer than the cores: one, on this machine.
          // Two at a time on a loaded machine stretches a slow-to-compile first test past 5 s.
          maxWorkers: 2,
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          exclude: [...LINE_TIMED, "**/node_modules/**"],
          setupFiles: ["test/e2e/helpers/setup-auth.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: true,
          maxWorkers: 3,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e-lines",
          include: LINE_TIMED,
          setupFiles: ["test/e2e/helpers/setup-auth.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: "fault",
          include: ["test/fault/**/*.test.ts"],
          setupFiles: ["test/e2e/helpers/setup-auth.ts"],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
    ],
  },
});
