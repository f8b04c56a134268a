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
  // A 1 MB young generation instead of V8's 16 MB semi-spaces: about 18 MB less RSS on a Pi for
  // a little more frequent (cheap) scavenging; see docs/benchmarks.md (agent.rss).
  banner: { js: "#!/usr/bin/env -S node --max-semi-space-size=1" },
  onSuccess: async () => {
    cpSync("../dashboard/dist", "dist/public", { recursive: true });
    // `tidegate-agent init` starts a new gateway's config from it.
    cpSync("config.example.yaml", "dist/config.example.yaml");
    cpSync("../firmware-profiles", "dist/profiles", {
      recursive: true,
      filter: (src) => !/node_modules|\/src(\/|$)|package\.json$/.test(src),
    });
  },
});
