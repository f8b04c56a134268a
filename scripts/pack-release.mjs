#!/usr/bin/env node
// Builds the release tarball that systemd/install.sh installs: the built program (dist/), a
// package.json with only its npm dependencies (the @tidegate/* workspaces are bundled into dist),
// a package-lock.json pinned to the versions this repository tested with (so `npm ci --omit=dev`
// on the Pi installs exactly those), the unit, the example config, install.sh and docs/install.md.
//   node scripts/pack-release.mjs agent|collector [--out DIR]     (npm run pack:agent builds first)
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: "string", default: join(root, "release") } },
});
const app = positionals[0];
if (app !== "agent" && app !== "collector") {
  console.error("usage: node scripts/pack-release.mjs agent|collector [--out DIR]");
  process.exit(2);
}
if (!existsSync(join(root, app, "dist/cli.js"))) {
  console.error(`${app}/dist/cli.js is missing: run npm run build first (npm run pack:${app} does both)`);
  process.exit(1);
}

const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));
const rootPkg = readJson(join(root, "package.json"));
const appPkg = readJson(join(root, app, "package.json"));
const name = `tidegate-${app}`;
const base = `${name}-${appPkg.version}`;
const out = resolve(values.out);
const stage = join(out, base);
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

const dependencies = Object.fromEntries(
  Object.entries(appPkg.dependencies).filter(([dep]) => !dep.startsWith("@tidegate/")),
);
// tsup leaves npm packages external: each one dist imports must be a dependency, or the installed
// program fails at its first start.
// cli.js and the chunks it imports when a feature starts (the OPC UA source).
const bundle = readdirSync(join(root, app, "dist"))
  .filter((f) => f.endsWith(".js"))
  .map((f) => readFileSync(join(root, app, "dist", f), "utf8"))
  .join("\n");
const specifiers = [
  ...bundle.matchAll(/^import\b[^;"]*?\bfrom\s*"([^"\s]+)"/gm),
  ...bundle.matchAll(/^import\s*"([^"\s]+)"/gm),
  ...bundle.matchAll(/\bimport\(\s*"([^"\s]+)"\s*\)/g),
].map(([, spec]) => spec);
const imported = new Set(
  specifiers
    .filter((spec) => !spec.startsWith(".") && !spec.startsWith("node:"))
    .map((spec) => spec.replace(/^((?:@[^/]+\/)?[^/]+).*/, "$1"))
    .filter((pkg) => !builtinModules.includes(pkg)),
);
const undeclared = [...imported].filter((pkg) => !(pkg in dependencies));
if (undeclared.length > 0) {
  console.error(`${app}/dist imports ${undeclared.join(", ")}: add them to ${app}/package.json dependencies`);
  process.exit(1);
}
writeFileSync(
  join(stage, "package.json"),
  `${JSON.stringify(
    {
      name,
      version: appPkg.version,
      private: true,
      type: "module",
      bin: { [name]: "dist/cli.js" },
      engines: rootPkg.engines,
      dependencies,
      allowScripts: Object.fromEntries(
        Object.entries(rootPkg.allowScripts ?? {}).filter(([dep]) => dep !== "esbuild"),
      ),
    },
    null,
    2,
  )}\n`,
);

// Starting from the workspace lockfile, npm keeps every version it already pins and drops the rest.
cpSync(join(root, "package-lock.json"), join(stage, "package-lock.json"));
execFileSync(
  "npm",
  [
    "install",
    "--package-lock-only",
    "--ignore-scripts",
    "--prefer-offline",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
  ],
  { cwd: stage, stdio: ["ignore", "ignore", "inherit"] },
);

cpSync(join(root, app, "dist"), join(stage, "dist"), { recursive: true });
cpSync(join(root, "systemd/install.sh"), join(stage, "install.sh"));
cpSync(join(root, `systemd/${name}.service`), join(stage, `systemd/${name}.service`));
cpSync(join(root, "docs/install.md"), join(stage, "docs/install.md"));
if (app === "agent") {
  cpSync(join(root, "agent/config.example.yaml"), join(stage, "config.example.yaml"));
  cpSync(join(root, "agent/config.schema.json"), join(stage, "config.schema.json"));
} else {
  cpSync(join(root, "systemd/collector.env.example"), join(stage, "collector.env.example"));
}

const tarball = join(out, `${base}.tar.gz`);
execFileSync("tar", ["-czf", tarball, "-C", out, base]);
console.log(tarball);
