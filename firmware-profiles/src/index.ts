export * from "./load.js";
export * from "./mqtt.js";
export * from "./registers.js";
export * from "./schema.js";
export * from "./serial-line.js";
