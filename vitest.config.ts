import { defineConfig } from "vitest/config";

// Two projects: `unit` is pure logic and in-process HTTP (fast loop: npm run test:unit);
// `e2e` starts real servers (nats-server, Modbus TCP, SQLite on disk) and runs files one at a time.
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
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
