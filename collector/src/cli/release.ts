import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { generateReleaseKeys, signRelease } from "@tidegate/node-kit";
import { TidegateError } from "@tidegate/protocol";

export const RELEASE_USAGE = `  tidegate-collector release keygen --out <name>      writes <name>.key (private: keep it offline) and <name>.pub (for gateways)
  tidegate-collector release sign <tarball> --key <file>  writes <tarball>.sig, the base64 ed25519 signature
    upload both: curl -H "Authorization: Bearer <admin token>" -F tarball=@<tarball> -F signature=<<tarball>.sig <collector>/api/v1/releases`;

class ReleaseUsageError extends TidegateError {
  override name = "ReleaseUsageError";
  readonly code = "usage";
}

const usage = (message: string) => new ReleaseUsageError(message, { hint: RELEASE_USAGE });

/** `release keygen` and `release sign`: the admin's side of signed releases, run where the private key is. */
export function runReleaseCommand(argv: string[], say: (line: string) => void = console.log): void {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { out: { type: "string" }, key: { type: "string" } },
  });
  if (sub === "keygen") {
    if (!values.out) throw usage("release keygen: --out <name> is needed");
    const [keyFile, pubFile] = [`${values.out}.key`, `${values.out}.pub`];
    if (existsSync(keyFile)) throw usage(`release keygen: ${keyFile} exists; it is never overwritten`);
    const keys = generateReleaseKeys();
    writeFileSync(keyFile, keys.privateKeyPem, { mode: 0o600, flag: "wx" });
    writeFileSync(pubFile, keys.publicKeyPem);
    say(`wrote ${keyFile} (keep it offline) and ${pubFile} (put it on every gateway; upgrade.publicKey)`);
    return;
  }
  if (sub === "sign") {
    const [tarball] = positionals;
    if (!tarball || !values.key) throw usage("release sign: a tarball and --key <file> are needed");
    const signature = signRelease(readFileSync(tarball), readFileSync(values.key, "utf8"), values.key);
    writeFileSync(`${tarball}.sig`, `${signature}\n`);
    say(`wrote ${tarball}.sig`);
    return;
  }
  throw usage(`release: unknown command '${sub ?? ""}'`);
}
