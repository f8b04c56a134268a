import type { RegisterTable } from "@tidegate/profiles";
import type { ReadBlock } from "./coalesce.js";
import type { ModbusClient } from "./wire/client.js";

type Read = (client: ModbusClient, block: ReadBlock) => Promise<number[]>;
const reads: Record<RegisterTable, Read> = {
  holding: (client, b) => client.readHoldingRegisters(b.start, b.count),
  input: (client, b) => client.readInputRegisters(b.start, b.count),
  coil: (client, b) => client.readCoils(b.start, b.count),
  discrete: (client, b) => client.readDiscreteInputs(b.start, b.count),
};

/** One block read with the function code its table needs: the words asked for, or bits as 0/1. */
export function readBlock(client: ModbusClient, block: ReadBlock): Promise<number[]> {
  return reads[block.table](client, block);
}
