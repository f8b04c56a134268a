import { defineConfig } from "vitest/config";

// Three projects: `unit` is pure logic and in-process HTTP (fast loop: npm run test:unit);
// `e2e` starts real servers (nats-server, Modbus TCP, SQLite on disk) and runs files one at a time;
// `fault` kills and restarts those real processes (npx vitest run --project fault). Its files run one at a
// time too: each starts its own processes, and two at once would fight over this 2-core machine
// and blur the timing the scenarios depend on. Timeouts are generous because a collector killed
// with messages in flight only gets them back after the consumer's 30 s ack_wait.
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["*/src/**/*.test.ts", "*/src/**/*.test.tsx"],
          environment: "node",
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
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
          fileParallelism: false,
        },
      },
    ],
  },
});
