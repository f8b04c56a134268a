import { type PointSpec, type RegisterTable, registerCount, registerTables } from "@tidegate/profiles";

export interface ReadBlockEntry {
  point: PointSpec;
  /** Index of the point's first word (or bit) inside the block's result. */
  offset: number;
}

/** One Modbus read request: `count` registers (or bits) from `start`, serving every point in it. */
export interface ReadBlock {
  table: RegisterTable;
  start: number;
  count: number;
  points: ReadBlockEntry[];
}

export interface PlanReadsOptions {
  /** Registers per read of holding/input; 125 is the Modbus limit for function codes 3 and 4. */
  maxRegisters?: number;
  /** Bits per read of coil/discrete; 2000 is the Modbus limit for function codes 1 and 2. */
  maxBits?: number;
  /** Unused registers (or bits) allowed between two points of one read. */
  maxGap?: number;
}

const ADDRESS_SPACE = 0x10000;

/**
 * The read limits a profile's device documents (`defaults.maxRegisters`, `defaults.maxGap`), with
 * a device config's own `maxGap` taking precedence: every reader of that device plans with these.
 */
export function deviceReadLimits(
  profile: { defaults: { maxRegisters?: number | undefined; maxGap?: number | undefined } },
  deviceMaxGap?: number,
): PlanReadsOptions {
  return {
    maxRegisters: profile.defaults.maxRegisters,
    maxGap: deviceMaxGap ?? profile.defaults.maxGap,
  };
}

/**
 * Groups points into as few reads as the limits allow: a read's round trip costs far more than a
 * few unused registers in it, especially on RS-485 at 9600 baud. Reading unused registers is not
 * free of risk, since some devices answer "illegal data address" for holes in their map, which is
 * why the gap is configurable (0 reads only what points cover).
 *
 * Blocks come out by table (holding, input, coil, discrete) then by start address, so polls are
 * the same every cycle and easy to compare in logs and tests.
 */
export function planReads(points: readonly PointSpec[], opts: PlanReadsOptions = {}): ReadBlock[] {
  // `??` rather than default parameters: callers pass `{ maxGap: config.maxGap }`, possibly undefined.
  const maxRegisters = positiveInteger("maxRegisters", opts.maxRegisters ?? 125);
  const maxBits = positiveInteger("maxBits", opts.maxBits ?? 2000);
  const maxGap = opts.maxGap ?? 10;
  if (!Number.isInteger(maxGap) || maxGap < 0)
    throw new RangeError(`maxGap must be an integer >= 0, got ${maxGap}`);

  const blocks: ReadBlock[] = [];
  for (const table of registerTables) {
    const bitTable = table === "coil" || table === "discrete";
    const limit = bitTable ? maxBits : maxRegisters;
    const unit = bitTable ? "bits" : "registers";
    // filter() copies, so sorting never reorders the caller's array; sort is stable for equal addresses.
    const inTable = points.filter((p) => p.register.table === table);
    inTable.sort((a, b) => a.register.address - b.register.address);

    let current: ReadBlock | undefined;
    for (const point of inTable) {
      const start = point.register.address;
      const size = registerCount(point.register);
      const end = start + size;
      if (size > limit) {
        throw new Error(`point '${point.id}' spans ${size} ${unit}, more than one read may carry (${limit})`);
      }
      if (end > ADDRESS_SPACE) {
        throw new Error(
          `point '${point.id}' at ${table} ${start} spans ${size} ${unit}, past the last address 65535`,
        );
      }
      // A negative gap is an overlap (a bit and a word of the same register): it always fits.
      const fits =
        current !== undefined && start - blockEnd(current) <= maxGap && end - current.start <= limit;
      if (current && fits) {
        current.count = Math.max(current.count, end - current.start);
        current.points.push({ point, offset: start - current.start });
      } else {
        current = { table, start, count: size, points: [{ point, offset: 0 }] };
        blocks.push(current);
      }
    }
  }
  return blocks;
}

/**
 * A block cut into one read per address, for when a device keeps refusing the block (an
 * "illegal data address" for one point, or a hole the map does not show): the good points are
 * read again, and only the bad one keeps failing.
 */
export function splitBlock(block: ReadBlock): ReadBlock[] {
  const byAddress = new Map<number, PointSpec[]>();
  for (const { point } of block.points) {
    const at = byAddress.get(point.register.address) ?? [];
    at.push(point);
    byAddress.set(point.register.address, at);
  }
  return [...byAddress.values()].flatMap((points) => planReads(points, { maxGap: 0 }));
}

/** The words (or bits) of one point out of its block's read result. */
export function sliceWords(block: ReadBlock, data: readonly number[], entry: ReadBlockEntry): number[] {
  if (!block.points.includes(entry)) {
    throw new Error(`point '${entry.point.id}' is not part of the ${block.table} block at ${block.start}`);
  }
  // A short answer gives a short slice on purpose: decodePoint reports the missing words for the point.
  return data.slice(entry.offset, entry.offset + registerCount(entry.point.register));
}

function blockEnd(block: ReadBlock): number {
  return block.start + block.count;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
  return value;
}
