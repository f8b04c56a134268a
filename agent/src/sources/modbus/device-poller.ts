import type { PointSpec, Profile, RegisterTable } from "@tidegate/profiles";
import type { Reading } from "@tidegate/protocol";
import { createBackoff } from "@tidegate/protocol";
import ModbusRTU from "modbus-serial";
import type { Logger } from "pino";
import type { DeviceConfig } from "../../config/schema.js";
import { createWaker } from "../../wake.js";
import { planReads, type ReadBlock } from "./coalesce.js";
import { createHealth } from "./health.js";
import { blockToReadings } from "./readings.js";

export interface DevicePollerOptions {
  device: DeviceConfig;
  profile: Profile;
  emit: (readings: Reading[]) => void;
  log: Logger;
}

const EXCEPTION_NAMES: Record<number, string> = {
  1: "illegal function",
  2: "illegal data address",
  3: "illegal data value",
  4: "slave device failure",
  6: "slave device busy",
  10: "gateway path unavailable",
  11: "gateway target failed to respond",
};

/** Turns what modbus-serial throws into words an operator can act on. */
export function describeModbusError(err: unknown, timeoutMs: number): { reason: string; reconnect: boolean } {
  const e = err as { modbusCode?: number; errno?: string; code?: string; message?: string; name?: string };
  if (typeof e.modbusCode === "number") {
    return {
      reason: `exception ${e.modbusCode} (${EXCEPTION_NAMES[e.modbusCode] ?? "unknown"})`,
      reconnect: false,
    };
  }
  const code = e.errno ?? e.code;
  if (e.name === "TransactionTimedOutError" || code === "ETIMEDOUT" || /timed out/i.test(e.message ?? "")) {
    return { reason: `timeout after ${timeoutMs} ms`, reconnect: true };
  }
  if (code) return { reason: `connection error ${code}`, reconnect: true };
  return { reason: e.message ?? String(err), reconnect: true };
}

async function readBlock(client: ModbusRTU, block: ReadBlock): Promise<number[]> {
  const reads: Record<RegisterTable, () => Promise<{ data: Array<number | boolean> }>> = {
    holding: () => client.readHoldingRegisters(block.start, block.count),
    input: () => client.readInputRegisters(block.start, block.count),
    coil: () => client.readCoils(block.start, block.count),
    discrete: () => client.readDiscreteInputs(block.start, block.count),
  };
  const { data } = await reads[block.table]();
  // Bit reads come back padded to whole bytes; keep only what was asked for.
  return data.slice(0, block.count).map((v) => (typeof v === "boolean" ? (v ? 1 : 0) : v));
}

/**
 * Polls one Modbus TCP device on its own interval over its own connection. Every point of every
 * poll yields a reading: decoded values, or quality=bad with the reason when the read failed.
 */
export function createDevicePoller(opts: DevicePollerOptions) {
  const { device, profile, emit, log } = opts;
  const wanted = device.points ? new Set(device.points) : undefined;
  const points: PointSpec[] = profile.points.filter((p) => !wanted || wanted.has(p.id));
  const blocks = planReads(points, { maxGap: device.maxGap });
  const unitId = device.unitId ?? profile.defaults.unitId;
  const health = createHealth(device.id);
  const waker = createWaker();
  const backoff = createBackoff({ initialMs: 500, maxMs: 30_000 });
  let client: ModbusRTU | undefined;
  let running = false;
  let loop: Promise<void> | undefined;
  let nextConnectAt = 0;

  async function ensureConnected(): Promise<ModbusRTU> {
    if (client?.isOpen) return client;
    const c = new ModbusRTU();
    c.on("error", () => {}); // surfaced through the failing request instead
    await c.connectTCP(device.transport.host, { port: device.transport.port });
    c.setID(unitId);
    c.setTimeout(device.timeoutMs);
    client = c;
    log.info(
      { device: device.id, host: device.transport.host, port: device.transport.port },
      "modbus device connected",
    );
    return c;
  }

  function dropConnection() {
    const c = client;
    client = undefined;
    if (c) c.close(() => {});
  }

  async function pollOnce(): Promise<void> {
    const ts = Date.now();
    if (Date.now() < nextConnectAt) return;
    let c: ModbusRTU;
    try {
      c = await ensureConnected();
      backoff.reset();
    } catch (err) {
      const { reason } = describeModbusError(err, device.timeoutMs);
      const why = `cannot connect to ${device.transport.host}:${device.transport.port}: ${reason}`;
      health.record(false, Date.now() - ts, why);
      nextConnectAt = Date.now() + backoff.next();
      emit(blocks.flatMap((b) => blockToReadings(b, { error: why }, { device: device.id, ts })));
      return;
    }
    const readings: Reading[] = [];
    for (const block of blocks) {
      const started = Date.now();
      try {
        const words = await readBlock(c, block);
        health.record(true, Date.now() - started);
        readings.push(...blockToReadings(block, { words }, { device: device.id, ts }));
      } catch (err) {
        const { reason, reconnect } = describeModbusError(err, device.timeoutMs);
        health.record(false, Date.now() - started, reason);
        readings.push(...blockToReadings(block, { error: reason }, { device: device.id, ts }));
        if (reconnect) {
          dropConnection();
          // The rest of this cycle's blocks fail the same way; report them without waiting on each timeout.
          for (const rest of blocks.slice(blocks.indexOf(block) + 1)) {
            readings.push(...blockToReadings(rest, { error: reason }, { device: device.id, ts }));
          }
          break;
        }
      }
    }
    emit(readings);
  }

  async function run() {
    while (running) {
      const started = Date.now();
      try {
        await pollOnce();
      } catch (err) {
        log.error({ err, device: device.id }, "poll failed unexpectedly");
      }
      await waker.sleep(Math.max(0, device.pollIntervalMs - (Date.now() - started)));
    }
  }

  return {
    id: device.id,
    profile,
    points,
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      waker.wake();
      await loop;
      dropConnection();
    },
    health: () => health.snapshot(),
  };
}
export type DevicePoller = ReturnType<typeof createDevicePoller>;
