import type { RegisterTable } from "@tidegate/profiles";
import type ModbusRTU from "modbus-serial";
import type { ReadBlock } from "./coalesce.js";

/** One block read with the function code its table needs; bits come back as 0/1. */
export async function readBlock(client: ModbusRTU, block: ReadBlock): Promise<number[]> {
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
