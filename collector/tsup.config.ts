import { cpSync } from "node:fs";
import { defineConfig } from "tsup";

export default defineConfig({
  // The store writer thread is a bundle of its own beside cli.js (store/writer/worker-client.ts finds it).
  entry: { cli: "src/cli.ts", "store-writer-worker": "src/store/writer/worker-main.ts" },
  format: "esm",
  platform: "node",
  target: "node20",
  clean: true,
  // Workspace packages export TypeScript source, so they are bundled; npm packages stay external.
  noExternal: [/^@tidegate\//],
  banner: { js: "#!/usr/bin/env node" },
  onSuccess: async () => {
    cpSync("../dashboard/dist", "dist/public", { recursive: true });
  },
});
