import { cpSync } from "node:fs";
import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/cli.ts", "src/index.ts"],
  format: "esm",
  platform: "node",
  target: "node20",
  clean: true,
  // Workspace packages export TypeScript source, which node cannot load from dist/ at run time.
  noExternal: [/^@tidegate\//],
  // Dependencies of @tidegate/profiles, installed at the workspace root. Bundled, yaml's CommonJS
  // require("process") fails inside an ES module, so they load from node_modules like modbus-serial.
  external: ["yaml", "zod"],
  // The bundled @tidegate/profiles looks for profiles/ beside the bundle first (the agent's build
  // uses the same layout), so the CLI does not depend on where firmware-profiles/ sits.
  onSuccess: async () => {
    cpSync("../firmware-profiles", "dist/profiles", {
      recursive: true,
      filter: (src) => !/node_modules|\/src(\/|$)|package\.json$/.test(src),
    });
  },
});
