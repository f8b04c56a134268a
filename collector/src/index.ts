export { createCollector } from "./collector.js";
export { type IngestOptions, type IngestStats, startIngest } from "./consumer/consumer.js";
export { ensureTelemetryStream } from "./consumer/stream.js";
export { createCollectorApp } from "./http/app.js";
export { openSqliteStore, type SqliteStore } from "./store/sqlite-store.js";
