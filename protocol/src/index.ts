export * from "./backoff.js";
export * from "./batch.js";
export * from "./heartbeat.js";
export * from "./reading.js";
export * from "./subjects.js";
export { WireError } from "./wire-error.js";
