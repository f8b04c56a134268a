import { createBackoff } from "@tidegate/node-kit";
import type { LinePoint, LineProfile } from "@tidegate/profiles";
import type { Reading, SourceHealth } from "@tidegate/protocol";
import type { Logger } from "pino";
import type { SerialPort } from "serialport";
import { createWaker } from "../../wake.js";
import { createHealth } from "../modbus/health.js";
import { describeSerialOpenError } from "../serial-port.js";
import { lineToReadings } from "./parse.js";
import { type DropReason, describeReason } from "./reasons.js";
import { createLineSplitter } from "./splitter.js";
import { type SerialSettings, type SerialTransport, serialSettings } from "./transport.js";

export interface SerialLineDevice {
  id: string;
  transport: SerialTransport;
  /** Points of the profile to store; default all. */
  points?: string[];
  /** No line for this long marks the device failing (it prints continuously when healthy). Default 30 s. */
  silenceMs?: number;
}

export interface SerialLineSourceOptions {
  device: SerialLineDevice;
  profile: LineProfile;
  emit: (readings: Reading[]) => void;
  log: Logger;
}

export interface SerialLineStats {
  /** Lines and pieces of lines received. */
  lines: number;
  readings: number;
  /** Lines dropped, by reason (garbage, partial, checksum-mismatch...). */
  dropped: Record<string, number>;
  /** Lines the profile does not read (other NMEA sentences, blank lines): not errors. */
  ignored: number;
}

export interface SerialLineSource {
  readonly id: string;
  readonly profile: LineProfile;
  start(): void;
  stop(): Promise<void>;
  health(): SourceHealth & { lastPollTs?: number };
  stats(): SerialLineStats;
}

const DROP_LOG_INTERVAL_MS = 30_000;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A device that prints lines on its own serial port (GPS, scale, analyser). Lines become readings
 * stamped with their arrival time; lines that cannot be trusted are counted by reason and never
 * stored as values. An unplugged adapter marks the device failing and the port is re-opened with
 * backoff until it is back, without restarting anything.
 */
export function createSerialLineSource(opts: SerialLineSourceOptions): SerialLineSource {
  const { device, profile, emit, log } = opts;
  const settings = serialSettings(device.transport, profile);
  const points = selectPoints(device, profile);
  const silenceMs = device.silenceMs ?? 30_000;
  const health = createHealth(device.id);
  const backoff = createBackoff({ initialMs: 500, maxMs: 10_000 });
  const waker = createWaker();
  const counts = { lines: 0, readings: 0, ignored: 0, dropped: {} as Record<string, number> };
  const unlogged: Record<string, number> = {};
  let lastDropLogAt = Number.NEGATIVE_INFINITY;
  let running = false;
  let loop: Promise<void> | undefined;
  let port: SerialPort | undefined;
  let downReason: string | undefined;
  let loggedDown: string | undefined;
  let lastLineAt = 0;
  let lastUsefulAt = 0;
  let silentSince: number | undefined;
  let watchdog: NodeJS.Timeout | undefined;

  function fail(reason: string) {
    downReason = reason;
    health.record(false, 0, reason);
    if (reason !== loggedDown)
      log.warn({ device: device.id, port: settings.path, reason }, "serial device down");
    loggedDown = reason;
  }

  function drop(reason: DropReason, sample: string, latencyMs: number) {
    counts.dropped[reason] = (counts.dropped[reason] ?? 0) + 1;
    health.record(false, latencyMs, describeReason(reason));
    unlogged[reason] = (unlogged[reason] ?? 0) + 1;
    // A noisy line can drop hundreds of lines a minute: one log line per interval says enough.
    if (Date.now() - lastDropLogAt >= DROP_LOG_INTERVAL_MS) flushDropLog(reason, sample);
  }

  function flushDropLog(reason?: DropReason, sample?: string) {
    if (Object.keys(unlogged).length === 0) return;
    lastDropLogAt = Date.now();
    const last = reason ? { reason: describeReason(reason), sample: sample?.slice(0, 120) } : {};
    log.warn({ device: device.id, dropped: { ...unlogged }, ...last }, "serial lines dropped");
    for (const k of Object.keys(unlogged)) delete unlogged[k];
  }

  function onLine(bytes: Buffer, startedAt: number) {
    const now = Date.now();
    counts.lines++;
    lastLineAt = now;
    const text = decode(bytes);
    const result = lineToReadings(profile, points, text, { device: device.id, ts: now });
    if ("dropped" in result) return drop(result.dropped, text, now - startedAt);
    if (result.ignored) {
      counts.ignored++;
      return;
    }
    lastUsefulAt = now;
    health.record(true, now - startedAt);
    if (result.readings.length === 0) return;
    counts.readings += result.readings.length;
    try {
      emit(result.readings);
    } catch (err) {
      log.error({ err, device: device.id }, "storing serial readings failed");
    }
  }

  /** Reads the open port until it closes; resolves with why it closed. */
  function serve(p: SerialPort, openedAt: number): Promise<string> {
    lastLineAt = openedAt;
    lastUsefulAt = openedAt;
    const splitter = createLineSplitter({
      delimiter: profile.defaults.delimiter,
      gapMs: profile.defaults.lineGapMs,
      ...(profile.format.type === "nmea" ? { startBytes: "$!" } : { openedAt }),
      onLine,
      onDrop: (reason) => {
        counts.lines++;
        drop(reason, "", 0);
      },
    });
    return new Promise((resolve) => {
      p.on("data", (chunk: Buffer) => splitter.push(chunk, Date.now()));
      p.once("close", (err: (Error & { disconnected?: boolean }) | null) => {
        splitter.end();
        resolve(
          err?.disconnected
            ? "serial device disconnected (adapter unplugged or cable pulled); re-opening"
            : `serial port closed${err ? `: ${err.message}` : ""}; re-opening`,
        );
      });
    });
  }

  async function run() {
    while (running) {
      let p: SerialPort;
      try {
        p = await openPort(settings, log, device.id);
      } catch (err) {
        if (!running) break;
        fail(openErrorReason(err, settings.path));
        await waker.sleep(backoff.next());
        continue;
      }
      if (!running) {
        await closePort(p);
        break;
      }
      port = p;
      downReason = undefined;
      loggedDown = undefined;
      backoff.reset();
      log.info({ device: device.id, port: settings.path, baudRate: settings.baudRate }, "serial port open");
      const why = await serve(p, Date.now());
      port = undefined;
      if (!running) break;
      fail(why);
      await waker.sleep(backoff.next());
    }
  }

  function checkSilence() {
    const now = Date.now();
    const reason = silenceReason(now);
    if (!reason) {
      silentSince = undefined;
      return;
    }
    // One failure per silence period keeps the success rate honest without flooding the window.
    if (silentSince === undefined || now - silentSince >= silenceMs) {
      if (silentSince === undefined) log.warn({ device: device.id, reason }, "serial device silent");
      silentSince = now;
      health.record(false, 0, reason);
    }
  }

  function silenceReason(now: number): string | undefined {
    if (!port) return undefined;
    const s = Math.round(silenceMs / 1000);
    if (now - lastLineAt > silenceMs)
      return `no data for ${s} s (device off, cable or wiring fault, or output not enabled on the device)`;
    if (now - lastUsefulAt > silenceMs)
      return `lines arrive but none the profile reads for ${s} s (check the device's output format or enabled sentences)`;
    return undefined;
  }

  return {
    id: device.id,
    profile,
    start() {
      if (running) return;
      running = true;
      loop = run();
      watchdog = setInterval(checkSilence, Math.max(50, Math.min(1000, silenceMs / 4)));
      watchdog.unref();
    },
    async stop() {
      running = false;
      clearInterval(watchdog);
      waker.wake();
      if (port) await closePort(port);
      await loop;
      flushDropLog();
    },
    health() {
      const h = health.snapshot();
      const now = Date.now();
      const reason = running ? (port ? silenceReason(now) : downReason) : undefined;
      // The rolling window lags: a port that is gone or silent is failing now, whatever it held.
      return reason ? { ...h, status: "failing", lastError: reason } : h;
    },
    stats: () => ({ ...counts, dropped: { ...counts.dropped } }),
  };
}

function selectPoints(device: SerialLineDevice, profile: LineProfile): LinePoint[] {
  if (!device.points) return profile.points;
  const byId = new Map(profile.points.map((p) => [p.id, p]));
  return device.points.map((id) => {
    const point = byId.get(id);
    if (!point)
      throw new Error(
        `device ${device.id}: profile ${profile.id} has no point '${id}' (it has: ${[...byId.keys()].join(", ")})`,
      );
    return point;
  });
}

function decode(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    // Not UTF-8: latin1 keeps every byte, and bytes 0x80..0x9F then read as non-printable.
    return bytes.toString("latin1");
  }
}

async function openPort(s: SerialSettings, log: Logger, deviceId: string): Promise<SerialPort> {
  // Loaded with the first serial line, so an agent without one does not carry it in memory.
  const { SerialPort } = await import("serialport");
  const p = new SerialPort({ ...s, autoOpen: false });
  p.on("error", (err) => log.debug({ err, device: deviceId }, "serial port error"));
  await new Promise<void>((resolve, reject) => p.open((err) => (err ? reject(err) : resolve())));
  // Bytes buffered while nobody was reading would get today's arrival time: discard them.
  await new Promise<void>((resolve) => p.flush(() => resolve()));
  return p;
}

function closePort(p: SerialPort): Promise<void> {
  if (!p.isOpen) return Promise.resolve();
  return new Promise((resolve) => p.close(() => resolve()));
}

export function openErrorReason(err: unknown, path: string): string {
  return describeSerialOpenError(err) ?? `cannot open ${path}: ${(err as Error)?.message ?? String(err)}`;
}
