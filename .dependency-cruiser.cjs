// Package boundaries, checked by `npm run lint` after Biome (docs/decisions.md 25). Each rule says
// why it holds; a violation names the rule, the importing file and the imported one.
const tests = "\\.test\\.tsx?$";
// Node built-ins, whether written `node:fs` or `fs`.
const builtIn = { dependencyTypes: ["core"] };

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "protocol-is-the-wire-contract",
      comment:
        "protocol/ is the wire contract alone and runs in the browser too (the dashboard imports it): it imports " +
        "no other workspace and no Node built-in. Node plumbing goes to node-kit/, HTTP pieces to http-kit/.",
      severity: "error",
      from: { path: "^protocol/", pathNot: tests },
      to: {
        path: "^(node-kit|http-kit|firmware-profiles|dashboard|simulators|agent|collector|bench|test)/",
      },
    },
    {
      name: "protocol-has-no-node-built-ins",
      comment: "The same wire contract runs in the browser: no node:fs, node:crypto, … outside its tests.",
      severity: "error",
      from: { path: "^protocol/", pathNot: tests },
      to: builtIn,
    },
    {
      name: "agent-is-not-collector",
      comment:
        "Agent and collector are separate programs on separate machines; they share code only through the " +
        "packages (protocol, node-kit, http-kit), so neither bundle carries the other's code.",
      severity: "error",
      from: { path: "^agent/" },
      to: { path: "^collector/" },
    },
    {
      name: "collector-is-not-agent",
      comment: "See agent-is-not-collector.",
      severity: "error",
      from: { path: "^collector/" },
      to: { path: "^agent/" },
    },
    {
      name: "sources-do-not-know-the-uplink",
      comment:
        "Sources only produce readings into the buffer; the uplink sends from the buffer. A source that reached " +
        "into the uplink would tie polling to the connection, and store-and-forward is built on the two being apart.",
      severity: "error",
      from: { path: "^agent/src/sources/" },
      to: { path: "^agent/src/uplink/" },
    },
    {
      name: "store-knows-no-transport",
      comment:
        "The collector's storage is behind its interfaces (store/types.ts, backend.ts): it is fed by the consumer " +
        "and read by the HTTP routes, never the other way round, so it runs and is tested without NATS or HTTP.",
      severity: "error",
      from: { path: "^collector/src/store/" },
      to: {
        path: ["(^|/)node_modules/(@nats-io|hono|@hono)/", "^collector/src/(http|consumer)/", "^http-kit/"],
      },
    },
    {
      name: "dashboard-is-browser-code",
      comment:
        "The dashboard is a browser app: server code (http-kit, node-kit, better-sqlite3) or a Node built-in " +
        "would fail in the bundle or drag server secrets' handling into the browser.",
      severity: "error",
      from: { path: "^dashboard/src/", pathNot: tests },
      to: { path: ["^(http-kit|node-kit)/", "(^|/)node_modules/better-sqlite3/"] },
    },
    {
      name: "dashboard-has-no-node-built-ins",
      comment: "See dashboard-is-browser-code.",
      severity: "error",
      from: { path: "^dashboard/src/", pathNot: tests },
      to: builtIn,
    },
    {
      name: "simulators-are-not-the-agent",
      comment:
        "The simulators play the devices the agent reads, from the same profiles but with their own encoder: " +
        "one that used the agent's decoders would let a byte-order bug cancel out instead of failing the e2e tests. " +
        "Their tests may check the output against the agent's parser (serial-line.test.ts): that is the contract.",
      severity: "error",
      from: { path: "^simulators/", pathNot: tests },
      to: { path: "^agent/" },
    },
    {
      name: "production-code-does-not-import-tests",
      comment:
        "Test helpers (test/**, @tidegate/http-kit/testing: an in-memory auth store with a token per role) " +
        "must never end up in a shipped bundle.",
      severity: "error",
      from: { path: "^[^/]+/src/", pathNot: [tests, "^http-kit/src/auth/testing\\.ts$"] },
      to: { path: ["^test/", "^http-kit/src/auth/testing\\.ts$"] },
    },
  ],
  options: {
    doNotFollow: { path: "(^|/)node_modules/" },
    // Our build output only, anchored: an excluded module vanishes from the graph, so excluding
    // node_modules (or any `dist/`, where npm packages keep their code) would hide them from the rules.
    exclude: { path: "^([^/]+/dist|dist|\\.tidegate|release|coverage)/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      // The workspaces export TypeScript source through package.json "exports".
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
    },
  },
};
