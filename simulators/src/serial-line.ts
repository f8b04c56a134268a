import { performance } from "node:perf_hooks";
import {
  type LinePoint,
  type LineProfile,
  type PointSpec,
  simulateLinePlaceholder,
} from "@tidegate/profiles";
import { SerialPort } from "serialport";
import type { PointValue } from "./encode/index.js";
import { createGenerator, seededRandom, type ValueGenerator } from "./generators.js";

export interface SerialLineSimulatorOptions {
  /** The serial device to print on: one end of a socat PTY pair, or a real adapter. */
  path: string;
  profile: LineProfile;
  /** One line (or one set of NMEA sentences) this often; default 1000. */
  intervalMs?: number;
  /** Seeds walk and noise so a run is reproducible. */
  seed?: number;
  /** NMEA talker id, e.g. GP (GPS) or GN (multi-constellation); default GP. */
  talker?: string;
}

export type SerialLineFault = "garbage" | "bad-checksum" | "partial";

export interface SerialLineSimulator {
  readonly path: string;
  /** Pins a point to `value` (in engineering units, as the agent will read it). */
  set(pointId: string, value: PointValue): void;
  current(): Record<string, PointValue>;
  /** garbage: non-printable bytes and a delimiter now; bad-checksum: the next NMEA sentence's
   * checksum is wrong; partial: half a line now, then silence longer than the profile's
   * lineGapMs (a device reset mid-line), then whole lines again. */
  inject(fault: SerialLineFault): void;
  /** A silent device prints nothing, as one switched off with the adapter still plugged in. */
  silence(on: boolean): void;
  /** Lines (or NMEA sentence sets) written so far. */
  written(): number;
  close(): Promise<void>;
}

/** What the simulator prints for the values of one tick: one line, or one line per NMEA sentence. */
export function formatLines(
  profile: LineProfile,
  values: Record<string, PointValue>,
  options: { talker?: string; now?: Date; badChecksum?: boolean } = {},
): string[] {
  const format = profile.format;
  const text = (p: LinePoint, width?: number, decimals?: number) =>
    pointText(p, values[p.id] as PointValue, width, decimals);
  switch (format.type) {
    case "csv":
      return [
        format.columns
          .map((c) => {
            const point = profile.points.find((p) => p.field === c);
            return point ? text(point) : "0";
          })
          .join(format.separator),
      ];
    case "keyvalue":
      return [
        profile.points.map((p) => `${p.field}${format.kvSeparator}${text(p)}`).join(format.pairSeparator),
      ];
    case "regex": {
      if (!format.simulateLine)
        throw new Error(`profile ${profile.id}: a regex profile needs format.simulateLine to be simulated`);
      return [
        format.simulateLine.replace(
          simulateLinePlaceholder,
          (_, id: string, width?: string, dec?: string) => {
            const point = profile.points.find((p) => p.id === id) as LinePoint;
            return text(point, width ? Number(width) : undefined, dec ? Number(dec) : undefined);
          },
        ),
      ];
    }
    case "nmea": {
      const now = options.now ?? new Date();
      return format.sentences.map((type, i) => {
        const fields = nmeaTemplate(type, now);
        for (const p of profile.points) {
          const [sentence, index] = p.field.split(".");
          if (sentence !== type) continue;
          const at = Number(index) - 1;
          while (fields.length <= at + (p.nmea ? 1 : 0)) fields.push("");
          if (p.nmea) {
            const [coord, hemisphere] = nmeaCoordinate(Number(values[p.id]), p.nmea);
            fields[at] = coord;
            fields[at + 1] = hemisphere;
          } else fields[at] = text(p);
        }
        return nmeaSentence(`${options.talker ?? "GP"}${type}`, fields, options.badChecksum && i === 0);
      });
    }
  }
}

/** `$<address>,<fields>*hh` with the XOR checksum (or a wrong one, for fault injection). */
export function nmeaSentence(address: string, fields: readonly string[], wrongChecksum = false): string {
  const body = [address, ...fields].join(",");
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum ^= body.charCodeAt(i);
  if (wrongChecksum) sum ^= 0x5a;
  return `$${body}*${sum.toString(16).toUpperCase().padStart(2, "0")}`;
}

function pointText(point: LinePoint, value: PointValue, width?: number, decimals?: number): string {
  let s: string;
  if (point.type === "bool") {
    const on = value === true || (typeof value === "number" && value >= 0.5);
    s = point.boolText ? point.boolText[on ? "true" : "false"] : on ? "1" : "0";
  } else if (point.type === "string") s = String(value);
  else {
    // The device prints raw units: undo scale and offset, as the agent will apply them.
    const raw = (Number(value) - point.offset) / point.scale;
    const places = decimals ?? point.decimals;
    s = places !== undefined ? raw.toFixed(places) : String(Number(raw.toPrecision(12)));
  }
  return width !== undefined ? s.padStart(width) : s;
}

function nmeaCoordinate(degrees: number, axis: "latitude" | "longitude"): [string, string] {
  const limit = axis === "latitude" ? 90 : 180;
  const d = Math.min(limit, Math.abs(degrees));
  let whole = Math.floor(d);
  let minutes = Number(((d - whole) * 60).toFixed(5));
  if (minutes >= 60) {
    whole += 1;
    minutes = 0;
  }
  const coord = `${String(whole).padStart(axis === "latitude" ? 2 : 3, "0")}${minutes.toFixed(5).padStart(8, "0")}`;
  const hemisphere = axis === "latitude" ? (degrees < 0 ? "S" : "N") : degrees < 0 ? "W" : "E";
  return [coord, hemisphere];
}

/** Plausible fields for what no point covers, laid out as NMEA 0183 v2.3 (u-blox 6) prints them. */
function nmeaTemplate(type: string, now: Date): string[] {
  const p2 = (n: number) => String(n).padStart(2, "0");
  const time = `${p2(now.getUTCHours())}${p2(now.getUTCMinutes())}${p2(now.getUTCSeconds())}.00`;
  const date = `${p2(now.getUTCDate())}${p2(now.getUTCMonth() + 1)}${p2(now.getUTCFullYear() % 100)}`;
  switch (type) {
    case "GGA":
      return [
        time,
        "4717.11399",
        "N",
        "00833.91590",
        "E",
        "1",
        "08",
        "1.01",
        "499.6",
        "M",
        "48.0",
        "M",
        "",
        "",
      ];
    case "RMC":
      return [time, "A", "4717.11437", "N", "00833.91522", "E", "0.004", "77.52", date, "", "", "A"];
    case "GLL":
      return ["4717.11364", "N", "00833.91565", "E", time, "A", "A"];
    case "VTG":
      return ["77.52", "T", "", "M", "0.004", "N", "0.008", "K", "A"];
    default:
      return [];
  }
}

/** createGenerator speaks Modbus points; a line point is the same value without a register. */
function asPointSpec(p: LinePoint): PointSpec {
  const type = p.type === "number" ? "float64" : p.type;
  return { ...p, register: { table: "holding", address: 0, type, order: "ABCD", length: 1 }, access: "read" };
}

/** Prints a line-device profile's output on a serial port, with faults on demand. */
export async function startSerialLineSimulator(
  opts: SerialLineSimulatorOptions,
): Promise<SerialLineSimulator> {
  const { profile } = opts;
  const intervalMs = opts.intervalMs ?? 1000;
  const delimiter = profile.defaults.delimiter;
  const generators = new Map<string, ValueGenerator>(
    profile.points.map((p) => [p.id, createGenerator(asPointSpec(p), { seed: opts.seed })]),
  );
  const random = seededRandom((opts.seed ?? 1) ^ 0x5e71a1);
  const values: Record<string, PointValue> = {};
  const pinned = new Set<string>();
  const started = performance.now();
  let silent = false;
  let badChecksum = false;
  let resumeAt = 0;
  let count = 0;

  const port = await new Promise<SerialPort>((resolve, reject) => {
    const p = new SerialPort(
      {
        path: opts.path,
        baudRate: profile.defaults.baudRate,
        parity: profile.defaults.parity,
        dataBits: profile.defaults.dataBits,
        stopBits: profile.defaults.stopBits,
      },
      (err) => (err ? reject(err) : resolve(p)),
    );
    p.on("error", () => {}); // an unplugged PTY is the test's doing, not the simulator's fault
  });

  function draw() {
    const tS = (performance.now() - started) / 1000;
    for (const p of profile.points)
      if (!pinned.has(p.id)) values[p.id] = (generators.get(p.id) as ValueGenerator).next(tS);
  }

  function write(data: string | Buffer) {
    if (port.isOpen) port.write(data);
  }

  function tick() {
    if (silent || Date.now() < resumeAt) return;
    draw();
    const lines = formatLines(profile, values, { talker: opts.talker, badChecksum });
    badChecksum = false;
    write(lines.map((l) => l + delimiter).join(""));
    count++;
  }

  draw();
  const timer = setInterval(tick, intervalMs);
  timer.unref();

  let closing: Promise<void> | undefined;
  return {
    path: opts.path,
    set(pointId, value) {
      if (!generators.has(pointId)) throw new Error(`profile ${profile.id} has no point '${pointId}'`);
      pinned.add(pointId);
      values[pointId] = value;
    },
    current: () => ({ ...values }),
    inject(fault) {
      if (fault === "garbage") {
        // Control bytes only, never the delimiter's: what a wrong baud rate or a noisy line looks like.
        const pool = [...Array(32).keys(), 0x7f].filter(
          (b) => b !== 9 && !delimiter.includes(String.fromCharCode(b)),
        );
        const bytes = Array.from(
          { length: 8 + Math.floor(random() * 24) },
          () => pool[Math.floor(random() * pool.length)],
        );
        write(Buffer.concat([Buffer.from(bytes as number[]), Buffer.from(delimiter, "latin1")]));
      } else if (fault === "bad-checksum") {
        if (profile.format.type !== "nmea")
          throw new Error(`bad-checksum needs an nmea profile, not ${profile.format.type}`);
        badChecksum = true;
      } else {
        const line = formatLines(profile, values, { talker: opts.talker })[0] as string;
        write(line.slice(0, Math.ceil(line.length / 2)));
        resumeAt = Date.now() + profile.defaults.lineGapMs + Math.max(200, intervalMs);
      }
    },
    silence(on) {
      silent = on;
    },
    written: () => count,
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(timer);
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      });
      return closing;
    },
  };
}
