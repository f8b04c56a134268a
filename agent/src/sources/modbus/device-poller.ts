import { createBackoff } from "@tidegate/node-kit";
import type { PointSpec, Profile } from "@tidegate/profiles";
import type { Reading } from "@tidegate/protocol";
import type { Logger } from "pino";
import type { DeviceConfig } from "../../config/schema.js";
import { createWaker } from "../../wake.js";
import { BusUnavailableError, type ModbusBus } from "./bus.js";
import { deviceReadLimits, planReads, type ReadBlock, splitBlock } from "./coalesce.js";
import { describeModbusError, type ModbusErrorInfo } from "./errors.js";
import { createHealth } from "./health.js";
import { readBlock } from "./read-block.js";
import { blockToReadings } from "./readings.js";
import { applyScaleFactors } from "./scale-factors.js";
import { SunspecChainError, walkSunspecChain } from "./sunspec/chain.js";
import { resolveSunspecPoints } from "./sunspec/resolve.js";

export interface DevicePollerOptions {
  device: DeviceConfig;
  profile: Profile;
  /** The line this device is on, shared with the other devices there. */
  bus: ModbusBus;
  emit: (readings: Reading[]) => void;
  log: Logger;
  /** Each block read's duration and outcome, for the read-latency histogram. */
  observeRead?: (device: string, seconds: number, ok: boolean) => void;
}

/**
 * Polls one Modbus device on its own interval, over the bus it shares with the other devices on
 * the same line. Every point of every poll yields a reading: decoded values, or quality=bad with
 * the reason when the read failed. A device that stops answering is polled less and less often
 * (exponential backoff up to a minute), so a dead slave does not eat the bus time of live ones.
 */
export function createDevicePoller(opts: DevicePollerOptions) {
  const { device, profile, emit, log, bus } = opts;
  const wanted = device.points ? new Set(device.points) : undefined;
  const points: PointSpec[] = profile.points.filter((p) => !wanted || wanted.has(p.id));
  const byId = new Map(profile.points.map((p) => [p.id, p]));
  // Scale factors are read with the points that need them, even when the config does not list them.
  const factors = points.flatMap((p) => {
    const sf = p.scaleFactor === undefined ? undefined : byId.get(p.scaleFactor);
    return sf && !points.includes(sf) ? [sf] : [];
  });
  const read = [...points, ...new Set(factors)];
  // The device's own read limit (its manual's), so no poll asks more than it answers.
  const readLimits = deviceReadLimits(profile, device.maxGap);
  // Mutable: a block the device keeps refusing is replaced by one read per address. A SunSpec
  // device's blocks are planned once its chain is walked, and again after it stopped answering
  // (it may have restarted with other models, or another device now answers at this address).
  let blocks: ReadBlock[] | undefined = profile.sunspec ? undefined : planReads(read, readLimits);
  // Points the config names that this device's chain does not hold: a bad reading each poll says why.
  let missing: { point: PointSpec; reason: string }[] = [];
  // The connection the chain was walked on: readings from another one may come from another layout.
  let walkedOn = -1;
  const refusals = new Map<ReadBlock, number>();
  const unitId = device.unitId ?? profile.defaults.unitId;
  const health = createHealth(device.id);
  const waker = createWaker();
  const backoff = createBackoff({ initialMs: device.pollIntervalMs, maxMs: 60_000 });
  let running = false;
  let loop: Promise<void> | undefined;

  async function readWithRetries(block: ReadBlock): Promise<number[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await bus.request(unitId, device.timeoutMs, (c) => readBlock(c, block));
      } catch (err) {
        const retry =
          !(err instanceof BusUnavailableError) && describeModbusError(err, device.timeoutMs).retry;
        if (!retry || attempt >= device.retries) throw err;
      }
    }
  }

  /** After three refusals in a row, a block of several addresses is read one address at a time. */
  function noteRefusal(block: ReadBlock, reason: string) {
    const n = (refusals.get(block) ?? 0) + 1;
    refusals.set(block, n);
    const parts = splitBlock(block);
    if (n < 3 || parts.length < 2) return;
    refusals.delete(block);
    blocks = blocks?.flatMap((b) => (b === block ? parts : [b]));
    log.warn(
      { device: device.id, table: block.table, start: block.start, count: block.count, reason },
      `device ${device.id} keeps refusing the ${block.table} read at ${block.start} (${block.count} registers): reading its ${parts.length} addresses one by one, so one bad address does not hide the others`,
    );
  }

  /** Walks the device's SunSpec chain and plans the reads of what it holds. */
  async function discover(sunspec: NonNullable<Profile["sunspec"]>): Promise<ReadBlock[]> {
    const chain = await walkSunspecChain(
      (start, count) => readWithRetries({ table: "holding", start, count, points: [] }),
      sunspec.bases,
    );
    const { points: resolved, unresolved } = resolveSunspecPoints(read, sunspec, chain);
    log.info(
      {
        device: device.id,
        base: chain.base,
        models: chain.models.map((m) => `${m.id}@${m.start}(L=${m.length})`),
        unresolved: unresolved.length,
      },
      `device ${device.id}: SunSpec chain at ${chain.base} with models ${chain.models.map((m) => m.id).join(", ")}` +
        (unresolved.length
          ? `; ${unresolved.length} profile points are not on this device (${unresolved[0]?.reason}, …)`
          : ""),
    );
    missing = wanted ? unresolved.filter((u) => wanted.has(u.point.id)) : [];
    walkedOn = bus.opened;
    return planReads(resolved, readLimits);
  }

  /** Polls every block once; true when the device answered at least one of them. */
  async function pollOnce(): Promise<boolean> {
    const context = { device: device.id, ts: Date.now() };
    const readings: Reading[] = [];
    let answered = false;
    if (blocks === undefined && profile.sunspec) {
      try {
        blocks = await discover(profile.sunspec);
      } catch (err) {
        const info = describeModbusError(err, device.timeoutMs);
        const reason = `SunSpec discovery: ${err instanceof BusUnavailableError || err instanceof SunspecChainError ? (err as Error).message : info.reason}`;
        health.record(false, 0, reason, err instanceof SunspecChainError ? "exception" : info.kind);
        blockToReadings(
          { table: "holding", start: 0, count: 0, points: points.map((point) => ({ point, offset: 0 })) },
          { error: reason },
          context,
          readings,
        );
        emit(readings);
        // A device that answered without a chain is there: polled at its interval, not backed off.
        return err instanceof SunspecChainError || info.kind === "exception";
      }
    }
    const planned = blocks ?? [];
    for (const { point, reason } of missing)
      readings.push({
        ts: context.ts,
        device: device.id,
        point: point.id,
        value: null,
        quality: "bad",
        reason,
      });
    for (const [i, block] of planned.entries()) {
      const started = Date.now();
      try {
        const words = await readWithRetries(block);
        health.record(true, Date.now() - started);
        opts.observeRead?.(device.id, (Date.now() - started) / 1000, true);
        refusals.delete(block);
        blockToReadings(block, { words }, context, readings);
        answered = true;
      } catch (err) {
        const unavailable = err instanceof BusUnavailableError;
        const info = unavailable ? undefined : describeModbusError(err, device.timeoutMs);
        const reason = unavailable ? (err as Error).message : (info as ModbusErrorInfo).reason;
        health.record(false, Date.now() - started, reason, info?.kind ?? "connection");
        opts.observeRead?.(device.id, (Date.now() - started) / 1000, false);
        blockToReadings(block, { error: reason }, context, readings);
        if (info?.kind === "exception" || info?.kind === "corrupt") {
          answered = true; // it is there, it just refused or garbled this block
          if (info.kind === "exception") noteRefusal(block, reason);
          continue;
        }
        // Silent or unreachable: the other blocks would fail the same way; report them without
        // spending a timeout on each.
        for (const rest of planned.slice(i + 1)) blockToReadings(rest, { error: reason }, context, readings);
        if (profile.sunspec) blocks = undefined;
        break;
      }
    }
    if (profile.sunspec && bus.opened !== walkedOn) {
      // The line was opened again during this poll: what it read may sit at other addresses now.
      // Dropped, not emitted, and the chain is walked again before the next poll.
      blocks = undefined;
      log.info({ device: device.id }, `device ${device.id}: reconnected; walking its SunSpec chain again`);
      return answered;
    }
    applyScaleFactors(byId, readings);
    emit(factors.length && wanted ? readings.filter((r) => wanted.has(r.point)) : readings);
    return answered;
  }

  async function run() {
    while (running) {
      const started = Date.now();
      let answered = true;
      try {
        answered = await pollOnce();
      } catch (err) {
        log.error({ err, device: device.id }, "poll failed unexpectedly");
      }
      const waitMs = answered ? device.pollIntervalMs : backoff.next();
      if (answered) backoff.reset();
      await waker.sleep(Math.max(0, waitMs - (Date.now() - started)));
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
    },
    health: () => health.snapshot(),
  };
}
export type DevicePoller = ReturnType<typeof createDevicePoller>;
