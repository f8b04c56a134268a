export * from "./load.js";
export * from "./registers.js";
export * from "./schema.js";
