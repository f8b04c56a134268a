export * from "./alert.js";
export * from "./backoff.js";
export * from "./batch.js";
export * from "./collector-wire.js";
export * from "./heartbeat.js";
export * from "./reading.js";
export * from "./subjects.js";
export { NewerWireVersionError, WireError } from "./wire-error.js";
