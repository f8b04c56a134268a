import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deferredCleanup } from "./helpers/cleanup.js";
import { startProcess } from "./helpers/process.js";
import { type LineSettings, loadProfiles, type Profile, startRs485Bus } from "./helpers/scan-lines.js";
import { agentCli } from "./helpers/tidegate.js";

// Commissioning scan on RS-485 lines whose settings the test does not tell the agent. The
// simulators model the line: they answer only while the agent's end of the PTY is set to their
// device's baud rate and framing, and send noise otherwise, so a scan that "finds" devices at
// every setting would fail here.

const defer = deferredCleanup();
const profiles = loadProfiles();
const profile = (id: string) => profiles.get(id) as Profile;

async function scanCli(...args: string[]) {
  const proc = startProcess("node", [agentCli, "scan", ...args]);
  const code = await new Promise((resolve) => proc.child.once("exit", resolve));
  return { code, output: proc.output() };
}

/** The scan run under the bus's line watcher, as the simulated slaves need to hear what it sets. */
async function tracedScan(bus: Awaited<ReturnType<typeof startRs485Bus>>, ...args: string[]) {
  const { process: child } = bus.trace(["node", agentCli, "scan", "--port", bus.agentEnd, ...args]);
  let output = "";
  child.stdout?.on("data", (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    output += c.toString();
  });
  const code = await new Promise((resolve) => child.once("exit", resolve));
  return { code, output };
}

const finds = (output: string) =>
  [...output.matchAll(/^found unit (\d+) at (.+)$/gm)].map((m) => `${m[1]} @ ${m[2]}`).sort();

describe("tidegate-agent scan on modelled RS-485 lines", () => {
  it("finds three devices at 9600 8E1 on one bus and one at 19200 8N1 on another, and nothing else", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tidegate-scan-"));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const even9600: LineSettings = { baudRate: 9600, parity: "even", dataBits: 8, stopBits: 1 };
    const none19200: LineSettings = { baudRate: 19200, parity: "none", dataBits: 8, stopBits: 1 };
    const busA = await startRs485Bus(dir, "bus-a", even9600, [
      { unitId: 7, profile: profile("eastron/sdm120") },
      { unitId: 31, profile: profile("sonbest/xy-md02") },
      { unitId: 200, profile: profile("eastron/sdm630") },
    ]);
    defer(busA.close);
    const busB = await startRs485Bus(dir, "bus-b", none19200, [
      { unitId: 12, profile: profile("keller/series-30") },
    ]);
    defer(busB.close);

    // Both ports at once, as a technician with two adapters would; short answer times keep it
    // quick. Bus A is swept over every id; bus B, swept at four settings before its own, over
    // the low ids a DIP-switch address usually is.
    const [a, b] = await Promise.all([
      tracedScan(busA, "--timeout-ms", "100"),
      tracedScan(busB, "--timeout-ms", "60", "--unit-ids", "1-40"),
    ]);
    expect(a.code, a.output).toBe(0);
    expect(finds(a.output)).toEqual(["200 @ 9600 8E1", "31 @ 9600 8E1", "7 @ 9600 8E1"]);
    expect(b.code, b.output).toBe(0);
    expect(finds(b.output)).toEqual(["12 @ 19200 8N1"]);
    // Settings tried before the right one reached the slaves as noise and were not taken for
    // devices (bus B is swept at 9600, the library's most common default speed, before 19200).
    expect(busA.misheardAt()).toContain("9600 8N1");
    expect(busA.misheardAt()).not.toContain("9600 8E1");
    expect(busB.misheardAt()).toEqual(expect.arrayContaining(["9600 8N1", "9600 8E1"]));
    expect(busB.misheardAt()).not.toContain("19200 8N1");
  }, 300_000);

  it("says plainly when nothing answers, with exit code 1, and 2 for a usage error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tidegate-scan-"));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const empty = await startRs485Bus(
      dir,
      "empty",
      { baudRate: 9600, parity: "none", dataBits: 8, stopBits: 1 },
      [],
    );
    defer(empty.close);
    const none = await scanCli(
      "--port",
      empty.agentEnd,
      "--baud",
      "9600",
      "--framing",
      "8N1",
      "--unit-ids",
      "1-20",
    );
    expect(none.code, none.output).toBe(1);
    expect(none.output).toMatch(/no device answered/);
    const usage = await scanCli("--port", empty.agentEnd, "--host", "10.0.0.1");
    expect(usage.code).toBe(2);
    expect(usage.output).toMatch(/give either --port <serial device> or --host/);
  }, 60_000);
});
