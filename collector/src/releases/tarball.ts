import { Parser } from "tar";

/** The name and version in a release tarball's top-level package.json, as pack-release writes them. */
export async function readReleasePackage(
  tarball: Uint8Array,
): Promise<{ name: string; version: string } | { error: string }> {
  const found = await new Promise<string | { error: string }>((resolve) => {
    let text: string | undefined;
    const parser = new Parser({
      onReadEntry(entry) {
        // <name>-<version>/package.json; node_modules never travel in a release.
        if (/^[^/]+\/package\.json$/.test(entry.path) && text === undefined) {
          const chunks: Buffer[] = [];
          entry.on("data", (c: Buffer) => chunks.push(c));
          entry.on("end", () => {
            text = Buffer.concat(chunks).toString("utf8");
          });
        } else entry.resume();
      },
    });
    parser.on("warn", () => {});
    parser.on("error", (err: Error) => resolve({ error: `not a gzip tarball: ${err.message}` }));
    parser.on("end", () =>
      resolve(
        text ?? {
          error: "the tarball has no package.json in its top folder; make it with npm run pack:agent",
        },
      ),
    );
    parser.end(Buffer.from(tarball));
  });
  if (typeof found !== "string") return found;
  try {
    const pkg = JSON.parse(found) as { name?: unknown; version?: unknown };
    if (typeof pkg.name !== "string" || typeof pkg.version !== "string")
      return { error: "the tarball's package.json has no name or version" };
    return { name: pkg.name, version: pkg.version };
  } catch (err) {
    return { error: `the tarball's package.json is not JSON: ${(err as Error).message}` };
  }
}
