import type { RegisterTable } from "@tidegate/profiles";
import type ModbusRTU from "modbus-serial";
import type { ReadBlock } from "./coalesce.js";

type Read = (client: ModbusRTU, block: ReadBlock) => Promise<{ data: Array<number | boolean> }>;
const reads: Record<RegisterTable, Read> = {
  holding: (client, b) => client.readHoldingRegisters(b.start, b.count),
  input: (client, b) => client.readInputRegisters(b.start, b.count),
  coil: (client, b) => client.readCoils(b.start, b.count),
  discrete: (client, b) => client.readDiscreteInputs(b.start, b.count),
};

/** One block read with the function code its table needs; bits come back as 0/1. */
export async function readBlock(client: ModbusRTU, block: ReadBlock): Promise<number[]> {
  const { data } = await reads[block.table](client, block);
  // Registers come back as the words asked for: handed on as they are, not copied per poll.
  if (block.table === "holding" || block.table === "input") return data as number[];
  // Bit reads come back padded to whole bytes; keep only what was asked for.
  return data.slice(0, block.count).map((v) => (v ? 1 : 0));
}
