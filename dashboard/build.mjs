// Builds the dashboard into static files: dist/index.html, dist/app.js, dist/app.css, and
// dist/chunks/ for code loaded on demand (the admin and commissioning pages, which few open).
// Served as-is by the agent and the collector; nothing is loaded from the internet.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, "dist");
// The first load (app.js and the chunks it imports): 60 KB for one bundle, 62 KB once the admin
// pages split off (~1 KB of chunk overhead, decision 38), 64 KB with the fleet view's rollouts
// panel, which every viewer follows (decision 39).
const JS_BUDGET_GZIP = 64 * 1024;

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });

const common = { bundle: true, minify: true, target: "es2020", logLevel: "warning" };

const js = await build({
  ...common,
  entryPoints: { app: join(root, "src/main.tsx") },
  outdir: dist,
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  metafile: true,
  format: "esm",
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "eof",
  define: { "process.env.NODE_ENV": '"production"' },
});

await build({
  ...common,
  stdin: {
    contents: '@import "uplot/dist/uPlot.min.css";\n@import "./src/styles.css";\n',
    resolveDir: root,
    sourcefile: "app.css",
    loader: "css",
  },
  outfile: join(dist, "app.css"),
});

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Tidegate</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="app.css">
<script type="module" src="app.js"></script>
</head>
<body>
<div id="app"><p style="padding:1rem;font-family:system-ui,sans-serif">Loading…</p></div>
<noscript><p style="padding:1rem">The Tidegate dashboard needs JavaScript.</p></noscript>
</body>
</html>
`;
await writeFile(join(dist, "index.html"), html);

// What a page loads before it shows anything: app.js and the chunks it imports statically. Chunks
// reached only through import() (the admin and commissioning pages) are loaded when opened and kept out of the budget.
const outputs = js.metafile.outputs;
const firstLoad = new Set();
const visit = (file) => {
  if (firstLoad.has(file)) return;
  firstLoad.add(file);
  for (const i of outputs[file]?.imports ?? []) if (i.kind === "import-statement") visit(i.path);
};
visit("dist/app.js");

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
let firstLoadGzip = 0;
const files = [...Object.keys(outputs).map((f) => f.slice("dist/".length)), "app.css", "index.html"];
for (const file of files.filter((f) => !f.endsWith(".map")).sort()) {
  const bytes = await readFile(join(dist, file));
  const gz = gzipSync(bytes, { level: 9 }).length;
  const onDemand = file.endsWith(".js") && !firstLoad.has(`dist/${file}`);
  if (file.endsWith(".js") && !onDemand) firstLoadGzip += gz;
  console.log(
    `dashboard/dist/${file.padEnd(10)} ${kb(bytes.length).padStart(9)}  gzip ${kb(gz).padStart(8)}${onDemand ? "  (on demand)" : ""}`,
  );
}
if (firstLoadGzip > JS_BUDGET_GZIP) {
  console.error(
    `the first load's JavaScript is ${kb(firstLoadGzip)} gzip, over the ${kb(JS_BUDGET_GZIP)} budget`,
  );
  process.exitCode = 1;
}
