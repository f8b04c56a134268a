import { parseArgs } from "node:util";
import {
  findBundledProfilesDir,
  loadProfiles,
  modbusProfiles,
  type PointSpec,
  type Profile,
  registerCount,
  type WordOrder,
  wordOrders,
} from "@tidegate/profiles";
import pino from "pino";
import type { ModbusTransport } from "../config/schema.js";
import { createBus } from "../sources/modbus/bus.js";
import { planReads, sliceWords } from "../sources/modbus/coalesce.js";
import { decodePoint } from "../sources/modbus/decode.js";
import { describeModbusError } from "../sources/modbus/errors.js";
import { readBlock } from "../sources/modbus/read-block.js";

export const PROBE_USAGE = `Usage: tidegate-agent probe --profile <vendor/model> --port <host:port | serial device> [--unit <n>]
                            [--rtu-over-tcp] [--baud 9600] [--parity none|even|odd] [--timeout-ms 1000]
                            [--profiles-dir <dir>]...

Reads a device once and prints every point of the profile. Values of two or more registers are
also shown in every byte/word order: pick the one that matches the device's own display, and
copy the profile line printed beside it.`;

export class ProbeUsageError extends Error {
  override name = "ProbeUsageError";
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

function hex(words: readonly number[]): string {
  return words.map((w) => w.toString(16).padStart(4, "0")).join(" ");
}

function show(value: unknown): string {
  return typeof value === "number" && !Number.isInteger(value)
    ? String(Number(value.toPrecision(7)))
    : String(value);
}

function profileLine(point: PointSpec, order: WordOrder): string {
  const r = point.register;
  const extra = [
    r.bit !== undefined ? `bit: ${r.bit}` : "",
    r.length !== undefined ? `length: ${r.length}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  return `register: { table: ${r.table}, address: ${r.address}, type: ${r.type}, order: ${order}${extra ? `, ${extra}` : ""} }`;
}

/** The decode assistant: the lines printed for one point. */
export function describePoint(point: PointSpec, words: readonly number[]): string[] {
  const unit = point.unit ? ` ${point.unit}` : "";
  const lines = [`${point.id.padEnd(20)} ${show(decodePoint(point, words))}${unit}   [${hex(words)}]`];
  const multiword = registerCount(point.register) > 1 && point.register.type !== "string";
  if (multiword) {
    for (const order of wordOrders) {
      const asIf = { ...point, register: { ...point.register, order } };
      const mark = order === point.register.order ? "*" : " ";
      lines.push(
        `  ${mark} ${order}  ${show(decodePoint(asIf, words)).padEnd(16)} ${profileLine(point, order)}`,
      );
    }
  }
  return lines;
}

/** Reads the device once and prints the table; the exit code says whether every read succeeded. */
export async function probe(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const o = parseProbeArgs(argv);
  const bus = createBus(o.transport, pino({ level: "silent" }));
  out(`${o.profile.id} (${o.profile.vendor} ${o.profile.model}) at ${bus.label}, unit ${o.unitId}`);
  out("* = the profile's byte/word order; values read with the other orders are shown beneath\n");
  let failed = 0;
  try {
    for (const block of planReads(o.profile.points)) {
      try {
        const words = await bus.request(o.unitId, o.timeoutMs, (c) => readBlock(c, block));
        for (const entry of block.points)
          for (const line of describePoint(entry.point, sliceWords(block, words, entry))) out(line);
      } catch (err) {
        failed += 1;
        const reason = describeModbusError(err, o.timeoutMs).reason;
        out(
          `${block.table} ${block.start}+${block.count}: ${reason} (${block.points.map((e) => e.point.id).join(", ")})`,
        );
      }
    }
  } finally {
    await bus.close();
  }
  return failed === 0 ? 0 : 1;
}
