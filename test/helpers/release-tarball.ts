import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "tar";

/**
 * A small tarball shaped like pack-release's (`<name>-<version>/package.json` and more files), for
 * tests of what reads releases; the real one comes from scripts/pack-release.mjs.
 */
export function fakeReleaseTarball(
  o: { name?: string; version?: string; files?: Record<string, string> } = {},
): Uint8Array {
  const name = o.name ?? "tidegate-agent";
  const version = o.version ?? "1.2.3";
  const dir = mkdtempSync(join(tmpdir(), "tidegate-release-"));
  try {
    const top = `${name}-${version}`;
    mkdirSync(join(dir, top, "dist"), { recursive: true });
    writeFileSync(join(dir, top, "package.json"), JSON.stringify({ name, version }));
    for (const [file, text] of Object.entries(o.files ?? { "dist/cli.js": "// the program\n" }))
      writeFileSync(join(dir, top, file), text);
    const file = join(dir, "release.tar.gz");
    create({ gzip: true, sync: true, file, cwd: dir, portable: true }, [top]);
    return readFileSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
