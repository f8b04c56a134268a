import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startProcess } from "./helpers/process.js";
import { AGENT_NODE_FLAGS, agentCli } from "./helpers/tidegate.js";

// The technician's commands: check a config, and print an older config in the current format.
// The program never rewrites the user's file.

const dir = mkdtempSync(join(tmpdir(), "tidegate-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...args: string[]) {
  const proc = startProcess("node", [agentCli, ...args]);
  const code = await new Promise((resolve) => proc.child.once("exit", resolve));
  return { code, output: proc.output() };
}

const unversioned = `# line 2, press 1
gateway: line-2
nats: { servers: ["nats://collector:4222"] }
devices:
  - id: meter-1
    profile: eastron/sdm120
    transport: { type: tcp, host: 10.0.0.5 }
`;

describe("tidegate-agent", () => {
  it("launches with the node flags the tests and benchmarks use", () => {
    const shebang = readFileSync(agentCli, "utf8").split("\n")[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${AGENT_NODE_FLAGS.join(" ")}`);
  });

  it("check accepts a good config and warns about a missing version", async () => {
    const file = join(dir, "check.yaml");
    writeFileSync(file, unversioned);
    const { code, output } = await run("check", "--config", file);
    expect(code).toBe(0);
    expect(output).toMatch(/warning: .*no 'version:' key; read as version 1/);
    expect(output).toMatch(/ok \(1 devices, gateway line-2\)/);
  });

  it("config migrate prints the current form with comments kept and leaves the file alone", async () => {
    const file = join(dir, "migrate.yaml");
    writeFileSync(file, unversioned);
    const { code, output } = await run("config", "migrate", "--config", file);
    expect(code).toBe(0);
    expect(output).toMatch(/^version: 1$/m);
    expect(output).toMatch(/# line 2, press 1/);
    expect(readFileSync(file, "utf8")).toBe(unversioned);
  });

  it("refuses a config written for a newer agent, naming the file", async () => {
    const file = join(dir, "newer.yaml");
    writeFileSync(file, `version: 9\n${unversioned}`);
    const { code, output } = await run("check", "--config", file);
    expect(code).toBe(2);
    expect(output).toContain(`${file}: invalid config`);
    expect(output).toMatch(/at version: this config is version 9, written for a newer Tidegate/);
  });
});
