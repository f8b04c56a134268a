// The node kit: plumbing the Node programs (agent, collector, http-kit) share and the browser never
// loads. One entry, no subpaths: nothing here drags in a heavy or native module (migrations type the
// database structurally, so better-sqlite3 stays with the programs that open one), and the bundles
// drop what a program does not use.
export * from "./backoff.js";
export * from "./migrations.js";
export * from "./nats-security.js";
export * from "./reconnect.js";
export * from "./release-signing.js";
export * from "./secret-file.js";
export * from "./systemd-notify.js";
