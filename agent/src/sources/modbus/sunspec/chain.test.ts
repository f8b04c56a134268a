import { describe, expect, it } from "vitest";
import { type ReadHolding, SunspecChainError, walkSunspecChain } from "./chain.js";

/** A device's holding registers from `base` on; reads outside them get exception 2, as a device's would. */
function registers(base: number, words: number[]): ReadHolding & { reads: number } {
  const read = async (start: number, count: number) => {
    read.reads += 1;
    if (start < base || start + count > base + words.length)
      throw Object.assign(new Error("Modbus exception 2: Illegal data address"), { modbusCode: 2 });
    return words.slice(start - base, start - base + count);
  };
  read.reads = 0;
  return read;
}

const SUNS = [0x5375, 0x6e53];
const model = (id: number, length: number) => [id, length, ...Array<number>(length).fill(0)];
const END = [0xffff, 0];

describe("walkSunspecChain", () => {
  it("finds each model where the one before it ends, up to the end marker", async () => {
    const read = registers(40000, [...SUNS, ...model(1, 66), ...model(103, 50), ...model(160, 48), ...END]);
    const chain = await walkSunspecChain(read, [40000, 50000, 0]);
    expect(chain).toEqual({
      base: 40000,
      models: [
        { id: 1, start: 40002, length: 66 },
        { id: 103, start: 40070, length: 50 },
        { id: 160, start: 40122, length: 48 },
      ],
    });
  });

  it("follows a common model without its Pad (L = 65), as older firmwares publish it", async () => {
    const read = registers(40000, [...SUNS, ...model(1, 65), ...model(101, 50), ...END]);
    const { models } = await walkSunspecChain(read, [40000]);
    expect(models[1]).toEqual({ id: 101, start: 40069, length: 50 });
  });

  it("tries the next base when one refuses or holds something else", async () => {
    const at50000 = registers(50000, [...SUNS, ...model(1, 66), ...END]);
    expect(await walkSunspecChain(at50000, [40000, 50000, 0])).toMatchObject({ base: 50000 });
    const at0 = registers(0, [...SUNS, ...model(1, 66), ...END, ...Array<number>(60000).fill(7)]);
    expect(await walkSunspecChain(at0, [40000, 50000, 0])).toMatchObject({ base: 0 });
  });

  it("says where it looked when no base has the marker", async () => {
    const read = registers(40000, [0x1234, 0x5678, ...END]);
    const err = await walkSunspecChain(read, [40000, 50000]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SunspecChainError);
    expect((err as Error).message).toMatch(
      /no SunSpec "SunS" marker .* at 40000: 0x1234 0x5678; 50000: exception 2/,
    );
  });

  it("ends a walk whose chain runs off the map or never ends", async () => {
    const cut = registers(40000, [...SUNS, ...model(1, 66)]);
    await expect(walkSunspecChain(cut, [40000])).rejects.toThrow(/illegal data address/i);
    const tail = [...SUNS, ...model(1, 65000 - 40004)];
    const offTheEnd = registers(40000, [...tail, 2, 60000]);
    await expect(walkSunspecChain(offTheEnd, [40000])).rejects.toThrow(/past address 65535/);
    const loop = registers(
      0,
      Array.from({ length: 1000 }, (_, i) => (i < 2 ? (SUNS[i] as number) : 0)),
    );
    await expect(walkSunspecChain(loop, [0])).rejects.toThrow(/more than 256 models/);
  });

  it("does not try other bases when the device is silent", async () => {
    let reads = 0;
    const silent: ReadHolding = async () => {
      reads += 1;
      throw Object.assign(new Error("Timed out"), { name: "TransactionTimedOutError" });
    };
    await expect(walkSunspecChain(silent, [40000, 50000, 0])).rejects.toThrow(/Timed out/);
    expect(reads).toBe(1);
  });
});
