export * from "./broker.js";
export * from "./config.js";
export * from "./external.js";
export * from "./source.js";
export * from "./topics.js";
