import { registerCount } from "@tidegate/profiles";
import type { CommandArgs, CommandResult } from "@tidegate/protocol";
import type { Logger } from "pino";
import type { SourcesLifecycle } from "../sources/lifecycle.js";
import { BusUnavailableError } from "../sources/modbus/bus.js";
import { decodePoint } from "../sources/modbus/decode.js";
import { EncodeError, encodePoint } from "../sources/modbus/encode.js";
import { describeModbusError } from "../sources/modbus/errors.js";
import { readBlock } from "../sources/modbus/read-block.js";
import { CommandError } from "./errors.js";

/**
 * Writes one point of a Modbus device: only a point its profile marks `readwrite`, only a value of
 * the point's type within its min/max, encoded with the point's type, scale and byte/word order.
 * Holding registers go with FC6 (one register) or FC16 (several), coils with FC5. The write and
 * the read-back run as one turn on the device's bus, so no poll lands between them.
 */
export async function writePoint(
  lifecycle: Pick<SourcesLifecycle, "modbusTarget" | "devices">,
  args: CommandArgs<"write">,
  log: Logger,
): Promise<CommandResult<"write">> {
  const target = lifecycle.modbusTarget(args.device);
  if (!target) {
    const other = lifecycle.devices().find((d) => d.id === args.device);
    throw new CommandError(
      other
        ? `write: ${args.device} is a ${other.profile.kind} device; only Modbus devices take writes`
        : `write: no device '${args.device}'; devices: ${lifecycle
            .devices()
            .map((d) => d.id)
            .join(", ")}`,
    );
  }
  const { device, profile, bus } = target;
  const point = profile.points.find((p) => p.id === args.point);
  const writable = profile.points.filter((p) => p.access === "readwrite").map((p) => p.id);
  const offer = writable.length > 0 ? `writable points: ${writable.join(", ")}` : "it has no writable points";
  if (!point) throw new CommandError(`write: ${profile.id} has no point '${args.point}'; ${offer}`);
  if (point.access !== "readwrite")
    throw new CommandError(
      `write: point '${point.id}' of ${device.id} is read-only in profile ${profile.id}; ${offer}`,
    );
  const { table, address } = point.register;
  if (table !== "holding" && table !== "coil")
    throw new CommandError(`write: point '${point.id}' is in the ${table} table, which Modbus cannot write`);
  try {
    encodePoint(point, args.value, [0]); // refuse a bad value before the bus is touched
  } catch (err) {
    if (err instanceof EncodeError) throw new CommandError(`write: ${err.message}`);
    throw err;
  }

  const block = { table, start: address, count: registerCount(point.register), points: [] };
  const unitId = device.unitId ?? profile.defaults.unitId;
  let words: number[];
  let back: number[];
  try {
    ({ words, back } = await bus.request(unitId, device.timeoutMs, async (c) => {
      let out: number[];
      if (table === "coil") {
        out = encodePoint(point, args.value);
        await c.writeCoil(address, out[0] === 1);
      } else {
        // A bool in a register shares it with other bits: read it, change one bit, write it back.
        const current = point.register.type === "bool" ? await readBlock(c, block) : undefined;
        out = encodePoint(point, args.value, current);
        if (out.length === 1) await c.writeRegister(address, out[0] as number);
        else await c.writeRegisters(address, out);
      }
      return { words: out, back: await readBlock(c, block) };
    }));
  } catch (err) {
    const reason =
      err instanceof BusUnavailableError ? err.message : describeModbusError(err, device.timeoutMs).reason;
    throw new CommandError(`write to ${device.id}/${point.id} failed: ${reason}`);
  }
  let readBack: ReturnType<typeof decodePoint>;
  try {
    readBack = decodePoint(point, back);
  } catch (err) {
    throw new CommandError(
      `write to ${device.id}/${point.id}: written, but the read-back does not decode: ${(err as Error).message}`,
    );
  }
  const matches = JSON.stringify(decodePoint(point, words)) === JSON.stringify(readBack);
  log.info(
    { write: { device: device.id, point: point.id, value: args.value, words, readBack, matches } },
    `remote write ${device.id}/${point.id} = ${JSON.stringify(args.value)}: read back ${JSON.stringify(readBack)}`,
  );
  return {
    device: device.id,
    point: point.id,
    written: args.value,
    words,
    readBack,
    readBackWords: back,
    matches,
  };
}
