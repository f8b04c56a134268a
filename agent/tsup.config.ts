import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "tsup";

// zod's namespace export carries every locale's messages (64 modules, ~0.5 MB of source kept in
// heap for the agent's life); the agent speaks English only, so its bundle gets zod with `en` alone.
const englishOnlyZod = {
  name: "zod-english-only",
  setup(build: { onResolve: (o: { filter: RegExp }, f: (a: { importer: string }) => unknown) => void }) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer)
        ? { path: fileURLToPath(new URL("./build/zod-locales-en.js", import.meta.url)) }
        : undefined,
    );
  },
};

export default defineConfig({
  entry: ["src/cli.ts"],
  format: "esm",
  platform: "node",
  target: "node20",
  clean: true,
  // Workspace packages export TypeScript source, so they are bundled; npm packages stay external.
  noExternal: [/^@tidegate\//, /^zod(\/|$)/],
  esbuildPlugins: [englishOnlyZod],
  // Memory settings of the installed agent (docs/decisions.md 19, docs/benchmarks.md agent.rss): one
  // malloc arena instead of one per thread; a 1 MB young generation instead of V8's 16 MB
  // semi-spaces (cheap scavenges, a little more often); V8 keeping its old generation close to
  // what is live. test/e2e/helpers/tidegate.ts starts the agent with the same settings.
  banner: { js: "#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node --max-semi-space-size=1 --optimize-for-size" },
  onSuccess: async () => {
    // esbuild escapes non-ASCII characters in code but copies comments as written, and one
    // character above U+00FF (a "–" in a comment) makes V8 keep the whole bundle's source as a
    // two-byte string: twice its size in heap for as long as the agent runs.
    // The same holds for every chunk (zod's bundled messages have such characters).
    for (const name of readdirSync("dist").filter((f) => f.endsWith(".js"))) {
      const bundle = readFileSync(`dist/${name}`, "utf8");
      writeFileSync(
        `dist/${name}`,
        bundle.replace(/[\u0100-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
      );
    }
    cpSync("../dashboard/dist", "dist/public", { recursive: true });
    // `tidegate-agent init` starts a new gateway's config from it.
    cpSync("config.example.yaml", "dist/config.example.yaml");
    cpSync("../firmware-profiles", "dist/profiles", {
      recursive: true,
      filter: (src) => !/node_modules|\/src(\/|$)|package\.json$/.test(src),
    });
  },
});
