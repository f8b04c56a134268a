import { cpSync } from "node:fs";
import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/cli.ts"],
  format: "esm",
  platform: "node",
  target: "node20",
  clean: true,
  // Workspace packages export TypeScript source, so they are bundled; npm packages stay external.
  noExternal: [/^@tidegate\//],
  banner: { js: "#!/usr/bin/env node" },
  onSuccess: async () => {
    cpSync("../dashboard/dist", "dist/public", { recursive: true });
    cpSync("../firmware-profiles", "dist/profiles", {
      recursive: true,
      filter: (src) => !/node_modules|\/src(\/|$)|package\.json$/.test(src),
    });
  },
});
