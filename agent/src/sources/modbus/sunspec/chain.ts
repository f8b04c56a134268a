import { SUNS_MARKER, SUNSPEC_END } from "@tidegate/profiles";
import { TidegateError } from "@tidegate/protocol";
import { describeModbusError } from "../errors.js";

/** One model as the device publishes it: `start` is the address of its ID register. */
export interface ChainModel {
  id: number;
  start: number;
  /** The device's L: registers after ID and L. */
  length: number;
}

export interface SunspecChain {
  /** Where the "SunS" marker was found. */
  base: number;
  models: ChainModel[];
}

/** Reads `count` holding registers from `start`. */
export type ReadHolding = (start: number, count: number) => Promise<readonly number[]>;

export class SunspecChainError extends TidegateError {
  override name = "SunspecChainError";
  readonly code = "modbus.sunspec-chain";
}

/** More models than any device chains: a loop-free guard against a map that never ends. */
const MAX_MODELS = 256;

/**
 * Walks the device's SunSpec chain: the "SunS" marker at the first base that has it, then
 * ID, L pairs, each model starting where the previous one ends, up to ID 0xFFFF. A base that
 * answers with an exception (no such address) is passed over; a silent device ends the walk at
 * once, with the error that says so, since the other bases would time out the same way.
 */
export async function walkSunspecChain(read: ReadHolding, bases: readonly number[]): Promise<SunspecChain> {
  const tried: string[] = [];
  for (const base of bases) {
    let marker: readonly number[];
    try {
      marker = await read(base, 2);
    } catch (err) {
      if (describeModbusError(err, 0).kind !== "exception") throw err;
      tried.push(`${base}: ${describeModbusError(err, 0).reason}`);
      continue;
    }
    if (marker[0] === SUNS_MARKER[0] && marker[1] === SUNS_MARKER[1])
      return { base, models: await walkModels(read, base) };
    tried.push(`${base}: ${marker.map((w) => `0x${w.toString(16).padStart(4, "0")}`).join(" ")}`);
  }
  throw new SunspecChainError(`no SunSpec "SunS" marker (0x5375 0x6E53) at ${tried.join("; ")}`, {
    hint: "check the unit id, or that the device speaks SunSpec; the profile's sunspec.bases lists where to look",
  });
}

async function walkModels(read: ReadHolding, base: number): Promise<ChainModel[]> {
  const models: ChainModel[] = [];
  let at = base + 2;
  for (;;) {
    if (at + 1 > 0xffff)
      throw new SunspecChainError(
        `the SunSpec chain from ${base} runs past address 65535 without its end marker`,
      );
    const [id, length] = await read(at, 2);
    if (id === undefined || length === undefined)
      throw new SunspecChainError(`the SunSpec model header at ${at} came back short`);
    if (id === SUNSPEC_END) return models;
    if (models.length >= MAX_MODELS)
      throw new SunspecChainError(
        `the SunSpec chain from ${base} has more than ${MAX_MODELS} models without its end marker`,
      );
    models.push({ id, start: at, length });
    at += 2 + length;
  }
}
