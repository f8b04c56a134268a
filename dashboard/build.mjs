// Builds the dashboard into static files: dist/index.html, dist/app.js, dist/app.css.
// Served as-is by the agent and the collector; nothing is loaded from the internet.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, "dist");
const JS_BUDGET_GZIP = 60 * 1024;

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });

const common = { bundle: true, minify: true, target: "es2020", logLevel: "warning" };

await build({
  ...common,
  entryPoints: [join(root, "src/main.tsx")],
  outfile: join(dist, "app.js"),
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

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
let failed = false;
for (const file of ["app.js", "app.css", "index.html"]) {
  const bytes = await readFile(join(dist, file));
  const gz = gzipSync(bytes, { level: 9 }).length;
  console.log(
    `dashboard/dist/${file.padEnd(10)} ${kb(bytes.length).padStart(9)}  gzip ${kb(gz).padStart(8)}`,
  );
  if (file === "app.js" && gz > JS_BUDGET_GZIP) {
    console.error(`app.js is ${kb(gz)} gzip, over the ${kb(JS_BUDGET_GZIP)} budget`);
    failed = true;
  }
}
if (failed) process.exitCode = 1;
