import { describe, expect, it } from "vitest";
import { startProcess } from "./helpers/process.js";
import { collectorCli } from "./helpers/tidegate.js";

// The collector's command line, tried as a new user would: a command or flag it does not know is
// named, with the usage, and exits 2 instead of starting the service or printing a stack trace.

async function run(...args: string[]) {
  const proc = startProcess("node", [collectorCli, ...args]);
  const code = await new Promise((resolve) => proc.child.once("exit", resolve));
  return { code, output: proc.output() };
}

describe("tidegate-collector", () => {
  it("names an unknown command or flag and exits 2", async () => {
    for (const [args, said] of [
      [["frobnicate"], "unknown command 'frobnicate'"],
      [["scan", "--port", "8080"], "unknown command 'scan'"],
      [["--prot", "8080"], "Unknown option '--prot'"],
    ] as const) {
      const { code, output } = await run(...args);
      expect(code, output).toBe(2);
      expect(output).toContain(`tidegate-collector: ${said}`);
      expect(output).toContain("Usage: tidegate-collector");
      expect(output).not.toContain("    at ");
    }
  });
});
