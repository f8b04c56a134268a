import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifyRelease } from "@tidegate/node-kit";
import { afterEach, describe, expect, it } from "vitest";
import { runReleaseCommand } from "./release.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("tidegate-collector release", () => {
  it("makes a key pair and signs a tarball so the public key verifies it", () => {
    const dir = mkdtempSync(join(tmpdir(), "tidegate-release-cli-"));
    dirs.push(dir);
    const lines: string[] = [];
    runReleaseCommand(["keygen", "--out", join(dir, "fleet")], (l) => void lines.push(l));
    const tarball = join(dir, "tidegate-agent-1.0.0.tar.gz");
    writeFileSync(tarball, "release bytes");
    runReleaseCommand(["sign", tarball, "--key", join(dir, "fleet.key")], (l) => void lines.push(l));
    verifyRelease({
      tarball: readFileSync(tarball),
      signature: readFileSync(`${tarball}.sig`, "utf8"),
      publicKeyPem: readFileSync(join(dir, "fleet.pub"), "utf8"),
    });
    expect(lines).toEqual([
      `wrote ${join(dir, "fleet.key")} (keep it offline) and ${join(dir, "fleet.pub")} (put it on every gateway; upgrade.publicKey)`,
      `wrote ${tarball}.sig`,
    ]);
    // A key is never overwritten: a lost private key cannot be replaced by accident.
    expect(() => runReleaseCommand(["keygen", "--out", join(dir, "fleet")], () => {})).toThrow(
      /exists; it is never overwritten/,
    );
  });

  it("says what is missing", () => {
    expect(() => runReleaseCommand(["sign", "x.tar.gz"])).toThrow(/--key <file> are needed/);
    expect(() => runReleaseCommand(["rotate"])).toThrow(/unknown command 'rotate'/);
  });
});
