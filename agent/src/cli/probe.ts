import { parseArgs } from "node:util";
import {
  findBundledProfilesDir,
  loadProfiles,
  modbusProfiles,
  type PointSpec,
  type Profile,
} from "@tidegate/profiles";
import { TidegateError } from "@tidegate/protocol";
import pino from "pino";
import type { ModbusTransport } from "../config/schema.js";
import { decodeAssist, type ProbedPoint, type ProbeResult, probeDevice } from "../probe/probe-device.js";
import { createBus } from "../sources/modbus/bus.js";

export const PROBE_USAGE = `Usage: tidegate-agent probe --profile <vendor/model> --port <host:port | serial device> [--unit <n>]
                            [--rtu-over-tcp] [--baud 9600] [--parity none|even|odd] [--timeout-ms 1000]
                            [--profiles-dir <dir>]...

Reads a device once and prints every point of the profile. Values of two or more registers are
also shown in every byte/word order: pick the one that matches the device's own display, and
copy the profile line printed beside it.`;

export class ProbeUsageError extends TidegateError {
  override name = "ProbeUsageError";
  readonly code = "usage";
  override readonly hint = PROBE_USAGE;
}

interface ProbeOptions {
  profile: Profile;
  transport: ModbusTransport;
  unitId: number;
  timeoutMs: number;
}

function parseProbeArgs(argv: string[]): ProbeOptions {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        profile: { type: "string" },
        port: { type: "string" },
        unit: { type: "string" },
        "rtu-over-tcp": { type: "boolean" },
        baud: { type: "string" },
        parity: { type: "string" },
        "timeout-ms": { type: "string" },
        "profiles-dir": { type: "string", multiple: true },
      },
    }));
  } catch (err) {
    throw new ProbeUsageError((err as Error).message);
  }
  const profiles = loadProfiles([findBundledProfilesDir(), ...((values["profiles-dir"] as string[]) ?? [])]);
  const id = values.profile as string | undefined;
  const profile = modbusProfiles(profiles).find((p) => p.id === id);
  if (!profile) {
    const known = modbusProfiles(profiles)
      .map((p) => p.id)
      .sort();
    throw new ProbeUsageError(
      `${id ? `unknown Modbus profile '${id}'` : "--profile is required"}; known: ${known.join(", ")}`,
    );
  }
  const port = values.port as string | undefined;
  if (!port) throw new ProbeUsageError("--port is required: host:port for Modbus TCP, or a serial device");
  const number = (name: string, fallback: number) => {
    const text = values[name] as string | undefined;
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0)
      throw new ProbeUsageError(`--${name} must be a whole number, got '${text}'`);
    return n;
  };
  const tcp = /^(?:tcp:\/\/)?([^/:]+):(\d+)$/.exec(port);
  let transport: ModbusTransport;
  if (tcp) {
    const [, host, p] = tcp as unknown as [string, string, string];
    transport = values["rtu-over-tcp"]
      ? { type: "rtu-over-tcp", host, port: Number(p) }
      : { type: "tcp", host, port: Number(p) };
  } else {
    const parity = (values.parity as string | undefined) ?? "none";
    if (!["none", "even", "odd"].includes(parity))
      throw new ProbeUsageError(`--parity must be none, even or odd, got '${parity}'`);
    transport = {
      type: "rtu",
      port,
      baudRate: number("baud", profile.defaults.baudRate ?? 9600),
      parity: parity as "none" | "even" | "odd",
      dataBits: 8,
      stopBits: 1,
    };
  }
  return {
    profile,
    transport,
    unitId: number("unit", profile.defaults.unitId),
    timeoutMs: number("timeout-ms", 1000),
  };
}

/** The decode assistant: the lines printed for one point. */
export function describePoint(point: PointSpec, words: readonly number[]): string[] {
  return pointLines(decodeAssist(point, words));
}

function pointLines(p: ProbedPoint): string[] {
  const unit = p.unit ? ` ${p.unit}` : "";
  const lines = [`${p.id.padEnd(20)} ${p.value}${unit}   [${p.words}]`];
  for (const o of p.orders ?? [])
    lines.push(`  ${o.current ? "*" : " "} ${o.order}  ${o.value.padEnd(16)} ${o.line}`);
  return lines;
}

/**
 * Reads the device once and prints the table; the exit code says whether every read succeeded
 * (SunSpec models the device does not publish are listed but are no failed read).
 */
export async function probe(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const o = parseProbeArgs(argv);
  const bus = createBus(o.transport, pino({ level: "silent" }));
  out(`${o.profile.id} (${o.profile.vendor} ${o.profile.model}) at ${bus.label}, unit ${o.unitId}`);
  out("* = the profile's byte/word order; values read with the other orders are shown beneath\n");
  let result: ProbeResult;
  try {
    result = await probeDevice(bus, o.profile, o.unitId, o.timeoutMs);
  } finally {
    await bus.close();
  }
  for (const p of result.points) for (const line of pointLines(p)) out(line);
  for (const f of result.failures) out(`${f.block}: ${f.reason} (${f.points.join(", ")})`);
  const failed = result.failures.filter((f) => !f.absent).length;
  return failed === 0 ? 0 : 1;
}
