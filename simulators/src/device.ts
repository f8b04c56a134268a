import { type PointSpec, type Profile, type RegisterTable, registerCount } from "@tidegate/profiles";
import { TidegateError } from "@tidegate/protocol";
import { decodePointWords, encodePointValue, type PointValue, quantize } from "./encode/index.js";
import { createGenerator, type ValueGenerator } from "./generators.js";
import { layOutSunspec } from "./sunspec-chain.js";

/** How many distinct values `served()` remembers per point. */
export const SERVED_LIMIT = 10_000;

/** A Modbus exception; modbus-serial's server turns `modbusErrorCode` into the exception response. */
export class ModbusException extends TidegateError {
  override name = "ModbusException";
  readonly code = "modbus.exception";
  constructor(
    readonly modbusErrorCode: number,
    message: string,
  ) {
    super(message);
  }
}
export const ILLEGAL_DATA_ADDRESS = 0x02;
export const ILLEGAL_DATA_VALUE = 0x03;

/**
 * One simulated device: the register image a profile describes, refreshed from the generators on
 * every tick, independent of the transport that serves it.
 */
export class SimulatedDevice {
  private readonly image = new Map<RegisterTable, Map<number, number>>();
  private readonly byAddress = new Map<RegisterTable, Map<number, PointSpec[]>>();
  private readonly generators = new Map<string, ValueGenerator>();
  private readonly values = new Map<string, PointValue>();
  private readonly pinned = new Set<string>();
  private readonly history = new Map<string, Set<PointValue>>();
  private readonly refused = new Map<string, number>();
  private readonly spikes = new Map<string, number>();
  /** The profile with every point at its address; scale-factor points first, so a tick encodes with the new factor. */
  readonly profile: Profile;

  constructor(profile: Profile, options: { seed?: number } = {}) {
    for (const table of ["holding", "input", "coil", "discrete"] as const) {
      this.image.set(table, new Map());
      this.byAddress.set(table, new Map());
    }
    const { points, fixed } = layOutSunspec(profile);
    const factors = new Set(points.flatMap((p) => (p.scaleFactor ? [p.scaleFactor] : [])));
    points.sort((a, b) => Number(factors.has(b.id)) - Number(factors.has(a.id)));
    this.profile = { ...profile, points };
    const holding = this.image.get("holding") as Map<number, number>;
    for (const run of fixed) for (const [i, w] of run.words.entries()) holding.set(run.address + i, w);
    for (const point of points) {
      this.generators.set(point.id, createGenerator(point, { seed: options.seed }));
      this.history.set(point.id, new Set());
      const index = this.byAddress.get(point.register.table) as Map<number, PointSpec[]>;
      for (let a = point.register.address; a < point.register.address + registerCount(point.register); a++) {
        index.set(a, [...(index.get(a) ?? []), point]);
      }
    }
  }

  /** Draws a new value for every point not pinned; `tS` is seconds since start. */
  tick(tS: number): void {
    for (const point of this.profile.points) {
      const spike = this.spikes.get(point.id);
      if (spike !== undefined) {
        // A spike holds for the ticks asked, then the generator takes over again.
        if (spike <= 1) this.spikes.delete(point.id);
        else this.spikes.set(point.id, spike - 1);
        continue;
      }
      if (this.pinned.has(point.id)) continue;
      const scaled = this.scaled(point);
      const value = quantize(scaled, (this.generators.get(point.id) as ValueGenerator).next(tS));
      this.place(point, value, encodePointValue(scaled, value));
    }
  }

  /** Pins a point to `value` (its generator stops) and serves it at once. */
  set(pointId: string, value: PointValue): void {
    const point = this.scaled(this.point(pointId));
    const q = quantize(point, value);
    this.pinned.add(pointId);
    this.place(point, q, encodePointValue(point, q));
    // A new scale factor: the points it scales keep their values, in registers at the new power of ten.
    for (const p of this.profile.points) {
      const held = this.values.get(p.id);
      if (p.scaleFactor === pointId && held !== undefined) {
        const scaled = this.scaled(p);
        const v = quantize(scaled, held);
        this.place(p, v, encodePointValue(scaled, v));
      }
    }
  }

  /**
   * Fault injection: serves `value` for the next `ticks` ticks (a spike, a glitch), then the
   * point moves as before; unlike set(), it does not pin.
   */
  spike(pointId: string, value: PointValue, ticks = 1): void {
    const point = this.scaled(this.point(pointId));
    const q = quantize(point, value);
    this.spikes.set(pointId, ticks);
    this.place(point, q, encodePointValue(point, q));
  }

  current(): Record<string, PointValue> {
    return Object.fromEntries(this.values);
  }

  served(pointId: string): PointValue[] {
    this.point(pointId);
    return [...(this.history.get(pointId) ?? [])];
  }

  /**
   * A register word, or 0/1 for coil/discrete. Unmapped addresses read as 0 instead of raising
   * ILLEGAL DATA ADDRESS: real meters differ here, and answering lets a reader coalesce one request
   * across gaps between points, which is what the agent is expected to do against most devices.
   */
  read(table: RegisterTable, address: number): number {
    const code = this.refused.get(`${table}:${address}`);
    if (code !== undefined) throw new ModbusException(code, `${table} ${address} refused (fault injection)`);
    return this.image.get(table)?.get(address) ?? 0;
  }

  /**
   * `count` consecutive words from `address`, as one read request: a request longer than the
   * profile's `defaults.maxRegisters` (the most its manual says the device answers) is refused with
   * ILLEGAL DATA VALUE, as Modbus says a device answers a quantity it does not support; with
   * `defaults.maxGap: 0` (a device that refuses addresses its tables do not list) a request that
   * spans an address no point holds is refused with ILLEGAL DATA ADDRESS.
   */
  readMany(table: "holding" | "input", address: number, count: number): number[] {
    const { maxRegisters, maxGap } = this.profile.defaults;
    if (maxRegisters !== undefined && count > maxRegisters)
      throw new ModbusException(
        ILLEGAL_DATA_VALUE,
        `${table} read of ${count} registers at ${address}: this device answers at most ${maxRegisters}`,
      );
    const image = this.image.get(table) as Map<number, number>;
    return Array.from({ length: count }, (_, i) => {
      if (maxGap === 0 && !image.has(address + i))
        throw new ModbusException(
          ILLEGAL_DATA_ADDRESS,
          `${table} ${address + i} is not in this device's tables`,
        );
      return this.read(table, address + i);
    });
  }

  /**
   * Fault injection: any read that touches this address is answered with exception `code`
   * (default 2, illegal data address), as a device whose map has a hole there; null lifts it.
   */
  refuse(table: RegisterTable, address: number, code: number | null = ILLEGAL_DATA_ADDRESS): void {
    if (code === null) this.refused.delete(`${table}:${address}`);
    else this.refused.set(`${table}:${address}`, code);
  }

  /**
   * A client's write of consecutive words (holding) or bits (coil). Every address must belong to a
   * readwrite point, and each value must decode within the point's min/max, else the whole write is
   * refused with the exception a real device would send; on success the points are pinned.
   */
  write(table: "holding" | "coil", address: number, words: readonly number[]): void {
    const index = this.byAddress.get(table) as Map<number, PointSpec[]>;
    const touched = new Map<string, PointSpec>();
    words.forEach((_, i) => {
      const points = index.get(address + i) ?? [];
      if (points.length === 0) {
        throw new ModbusException(ILLEGAL_DATA_ADDRESS, `${table} ${address + i} is not mapped`);
      }
      for (const p of points) {
        if (p.access !== "readwrite") {
          throw new ModbusException(ILLEGAL_DATA_ADDRESS, `point '${p.id}' is read-only`);
        }
        touched.set(p.id, p);
      }
    });
    const updates = [...touched.values()].map((point) => {
      const { address: start } = point.register;
      const pointWords = Array.from({ length: registerCount(point.register) }, (_, i) => {
        const offset = start + i - address;
        return offset >= 0 && offset < words.length ? (words[offset] as number) : this.read(table, start + i);
      });
      const value = decodePointWords(this.scaled(point), pointWords);
      if (
        typeof value === "number" &&
        (value < (point.min ?? -Infinity) || value > (point.max ?? Infinity))
      ) {
        throw new ModbusException(ILLEGAL_DATA_VALUE, `point '${point.id}': ${value} is outside its min/max`);
      }
      return { point, value, pointWords };
    });
    for (const { point, value, pointWords } of updates) {
      this.pinned.add(point.id);
      // Keep the words exactly as written: re-encoding the decoded value could differ in the last bit.
      this.place(point, value, pointWords);
    }
  }

  /**
   * The point with its scale factor (the power of ten its factor point holds now) folded into its
   * scale, so a value is encoded as a SunSpec device would: raw = value / 10^factor.
   */
  private scaled(point: PointSpec): PointSpec {
    if (point.scaleFactor === undefined) return point;
    const factor = this.values.get(point.scaleFactor);
    return typeof factor === "number" ? { ...point, scale: point.scale * 10 ** factor } : point;
  }

  private point(pointId: string): PointSpec {
    const point = this.profile.points.find((p) => p.id === pointId);
    if (!point) {
      const ids = this.profile.points.map((p) => p.id).join(", ");
      throw new Error(`${this.profile.id} has no point '${pointId}' (points: ${ids})`);
    }
    return point;
  }

  private place(point: PointSpec, value: PointValue, words: readonly number[]): void {
    const { table, type, address, bit } = point.register;
    const cells = this.image.get(table) as Map<number, number>;
    if (type === "bool" && table !== "coil" && table !== "discrete") {
      // Several bool points may share one register; touch only this point's bit.
      const mask = 1 << (bit ?? 0);
      cells.set(address, ((cells.get(address) ?? 0) & ~mask) | ((words[0] ?? 0) & mask));
    } else {
      words.forEach((w, i) => {
        cells.set(address + i, w);
      });
    }
    this.values.set(point.id, value);
    const seen = this.history.get(point.id) as Set<PointValue>;
    seen.delete(value); // re-insert so the set keeps the most recently served values
    seen.add(value);
    if (seen.size > SERVED_LIMIT) seen.delete(seen.values().next().value as PointValue);
  }
}
