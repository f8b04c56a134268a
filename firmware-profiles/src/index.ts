export * from "./from-table.js";
export * from "./load.js";
export * from "./mqtt.js";
export * from "./opcua.js";
export * from "./registers.js";
export * from "./resolution.js";
export * from "./schema.js";
export * from "./serial-line.js";
export { checkPointBlocks, type ProfileSource, pointBlockSchema } from "./source.js";
