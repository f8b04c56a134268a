import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProfiles, type Profile } from "@tidegate/profiles";
import { startModbusTcpSimulator, startPtyPair } from "@tidegate/simulators";
import pino from "pino";
import type { ScanRequestInput } from "../../agent/src/commission/scan/request.js";
import { createScanner } from "../../agent/src/commission/scan/scanner.js";
import { startRs485Bus } from "../../test/e2e/helpers/scan-lines.js";
import { agentCli } from "../../test/e2e/helpers/tidegate.js";
import type { Emit } from "../lib/figure.js";

const profiles = loadProfiles();

async function timeScan(request: ScanRequestInput) {
  const scanner = createScanner(
    {
      loaded: () => ({ config: { devices: [] }, library: { all: () => profiles } }),
      modbusTarget: () => undefined,
    },
    pino({ level: "silent" }),
  );
  const start = performance.now();
  const first = scanner.start(request);
  await scanner.settled();
  const ms = performance.now() - start;
  const done = scanner.status();
  scanner.stop();
  if (done?.state !== "done") throw new Error(`scan ended ${done?.state}: ${done?.error ?? ""}`);
  return {
    ms,
    plannedMs: first.progress.etaMs,
    found: done.progress.found.length,
    ids: done.progress.idsTried,
  };
}

/**
 * commission.*: how long a commissioning scan takes with the default answer times: 247 unit ids
 * on a Modbus TCP host with one device (the rest silent, as behind a gateway), and one RS-485 port
 * at 9600 baud (8N1, 8E1, 8O1, 8N2) with nothing connected, so every id costs its whole answer time,
 * and with three devices on it (found and identified).
 */
export async function commissionScanFigures(emit: Emit): Promise<void> {
  const sim = await startModbusTcpSimulator({
    profile: profiles.get("eastron/sdm120") as Profile,
    unitId: 1,
    tickMs: 60_000,
  });
  try {
    const tcp = await timeScan({ host: "127.0.0.1", port: sim.port, identify: false });
    emit({
      name: "commission.scan_tcp_247_ids_s",
      value: Math.round(tcp.ms / 100) / 10,
      unit: "s",
      note: `${tcp.ids} unit ids on one Modbus TCP simulator (${tcp.found} answering), 300 ms answer time each`,
    });
  } finally {
    await sim.close();
  }

  const dir = mkdtempSync(join(tmpdir(), "tidegate-bench-scan-"));
  const pty = await startPtyPair(dir, "empty");
  try {
    const serial = await timeScan({ serial: pty.agentEnd, bauds: [9600], identify: false });
    emit({
      name: "commission.scan_rs485_9600_empty_s",
      value: Math.round(serial.ms / 100) / 10,
      unit: "s",
      note: `4 framings × 247 unit ids at 9600 baud, nothing connected (planned ${Math.round(serial.plannedMs / 1000)} s)`,
    });
    // Every setting from 1200 to 115200: the plan's estimate, not a run (it would take long minutes).
    const scanner = createScanner(
      {
        loaded: () => ({ config: { devices: [] }, library: { all: () => profiles } }),
        modbusTarget: () => undefined,
      },
      pino({ level: "silent" }),
    );
    const all = scanner.start({ serial: pty.agentEnd });
    scanner.cancel();
    await scanner.settled();
    scanner.stop();
    emit({
      name: "commission.scan_rs485_all_settings_planned_s",
      value: Math.round(all.progress.etaMs / 1000),
      unit: "s",
      note: "32 settings × 247 unit ids with nothing connected, from the answer times (estimate, not measured)",
    });
  } finally {
    await pty.close();
  }
  try {
    await scanThreeDevices(dir, emit);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `tidegate-agent scan` as a technician runs it, on an RS-485 line whose three slaves answer only
 * at 9600 8E1 and send noise at the other framings (the line model of test/e2e/commission-scan).
 */
async function scanThreeDevices(dir: string, emit: Emit) {
  const slaves = [
    { unitId: 7, profile: profiles.get("eastron/sdm120") as Profile },
    { unitId: 31, profile: profiles.get("sonbest/xy-md02") as Profile },
    { unitId: 200, profile: profiles.get("eastron/sdm630") as Profile },
  ];
  const bus = await startRs485Bus(
    dir,
    "three",
    { baudRate: 9600, parity: "even", dataBits: 8, stopBits: 1 },
    slaves,
  );
  try {
    const start = performance.now();
    const { process: child } = bus.trace([
      "node",
      agentCli,
      "scan",
      "--port",
      bus.agentEnd,
      "--baud",
      "9600",
    ]);
    let output = "";
    child.stdout?.on("data", (c: Buffer) => {
      output += c.toString();
    });
    const code = await new Promise((resolve) => child.once("exit", resolve));
    const ms = performance.now() - start;
    const found = [...output.matchAll(/^found unit (\d+) at (.+)$/gm)].map((m) => `${m[1]} @ ${m[2]}`);
    if (code !== 0 || found.length !== slaves.length)
      throw new Error(
        `scan exited ${code} with ${found.length} of ${slaves.length} found:\n${output.slice(-2000)}`,
      );
    emit({
      name: "commission.scan_rs485_9600_three_devices_s",
      value: Math.round(ms / 100) / 10,
      unit: "s",
      note:
        `tidegate-agent scan --port <pty> --baud 9600 (4 framings × 247 unit ids, default answer times, identify on): ` +
        `three simulated slaves (sdm120, xy-md02, sdm630 at ids 7, 31, 200) answering only at 9600 8E1, noise at the ` +
        `other framings; found ${found.join(", ")}; the whole command, identification of each included. Faster than the empty line: " +
        "a bus has one setting, so the sweep ends after the framing that found devices (8N1, 8E1 of the four here) unless --all-settings`,
    });
  } finally {
    await bus.close();
  }
}
