export { createCollector } from "./collector.js";
export { createCollectorApp } from "./http/app.js";
export { openSqliteStore, type SqliteStore } from "./store/sqlite-store.js";
