import type { PointSpec, RegisterTable } from "@tidegate/profiles";
import type { ModbusBus } from "../../sources/modbus/bus.js";
import { planReads, type ReadBlock } from "../../sources/modbus/coalesce.js";
import { describeModbusError } from "../../sources/modbus/errors.js";
import { readBlock } from "../../sources/modbus/read-block.js";

/** A range a device refused or left unanswered, with what it failed with. */
interface Failed {
  table: RegisterTable;
  start: number;
  end: number;
  error: unknown;
  timeout: boolean;
}

export interface DeviceReads {
  /** `block`'s words: from memory when an earlier read covered them, else one request. */
  read(block: Pick<ReadBlock, "table" | "start" | "count">): Promise<number[]>;
  /**
   * Reads what `points` cover in as few requests as the polling plan would make (one planner for
   * both), so that the candidates' own reads after are answered from memory. A block the device
   * refuses here fails again only for a block just like it: the candidates' smaller blocks inside
   * it are tried on their own.
   */
  prefetch(points: readonly PointSpec[]): Promise<void>;
  /** Requests sent so far. */
  readonly requests: number;
}

/**
 * One device's registers as read during identify, shared by every candidate profile: each
 * address range goes over the line once, however many profiles ask for it. A range that timed out
 * (a device silent for addresses it does not have) fails again from memory for any block inside
 * it, and a refused block fails again from memory, so neither costs a request per candidate.
 */
export function deviceReads(bus: ModbusBus, unitId: number, timeoutMs: number): DeviceReads {
  const words = new Map<RegisterTable, Map<number, number>>();
  const failed: Failed[] = [];
  let requests = 0;

  const known = (table: RegisterTable, start: number, count: number): number[] | undefined => {
    const cells = words.get(table);
    if (!cells) return undefined;
    const out: number[] = [];
    for (let a = start; a < start + count; a++) {
      const w = cells.get(a);
      if (w === undefined) return undefined;
      out.push(w);
    }
    return out;
  };

  const failedBefore = (table: RegisterTable, start: number, end: number) =>
    failed.find(
      (f) =>
        f.table === table &&
        (f.timeout ? f.start <= start && end <= f.end : f.start === start && f.end === end),
    );

  async function wire(table: RegisterTable, start: number, count: number): Promise<number[]> {
    requests++;
    const data = await bus.request(unitId, timeoutMs, (c) =>
      readBlock(c, { table, start, count, points: [] }),
    );
    const cells = words.get(table) ?? new Map<number, number>();
    words.set(table, cells);
    // A short answer keeps what came: the missing words are read (and reported) by whoever needs them.
    data.forEach((w, i) => {
      cells.set(start + i, w);
    });
    return data;
  }

  return {
    async read({ table, start, count }) {
      const cached = known(table, start, count);
      if (cached) return cached;
      const before = failedBefore(table, start, start + count);
      if (before) throw before.error;
      try {
        return await wire(table, start, count);
      } catch (error) {
        const timeout = describeModbusError(error, timeoutMs).kind === "timeout";
        failed.push({ table, start, end: start + count, error, timeout });
        throw error;
      }
    },
    async prefetch(points) {
      for (const block of planReads(points)) {
        if (known(block.table, block.start, block.count)) continue;
        try {
          await wire(block.table, block.start, block.count);
        } catch (error) {
          // Refused or unanswered as a whole: the candidates' own blocks inside it say which part,
          // but one that is this very block fails from memory.
          failed.push({
            table: block.table,
            start: block.start,
            end: block.start + block.count,
            error,
            timeout: false,
          });
        }
      }
    },
    get requests() {
      return requests;
    },
  };
}
