export { createCollector } from "./collector.js";
export { collectorFlags, parseCollectorOptions } from "./config/options.js";
export { type IngestOptions, type IngestStats, startIngest } from "./consumer/consumer.js";
export { ensureTelemetryStream } from "./consumer/stream.js";
export { createCollectorApp } from "./http/app.js";
export { type ServeCollectorOptions, serveCollector } from "./serve.js";
export { openSqliteStore, type SqliteStore } from "./store/sqlite-store.js";
