import { createHash, createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { readFileSync, realpathSync } from "node:fs";
import { isAbsolute, resolve, sep } from "node:path";
import { type OpcuaServerCertificate, TidegateError } from "@tidegate/protocol";
import { resolveSecret } from "../../config/secrets.js";
import type { OpcuaTransport } from "./config.js";
import { describeCertificate } from "./pki.js";

type CertificateAuth = Extract<OpcuaTransport["auth"], { type: "certificate" }>;

/** A user certificate and key the server would be sent, refused before it is: said in words, key text never repeated. */
export class UserCertificateError extends TidegateError {
  override name = "UserCertificateError";
  readonly code = "opcua.user-certificate";
}

/** What the page shows of a user certificate (nothing of the key); the fingerprint is SHA-1 hex, as a server's. */
export type UserCertificateInfo = OpcuaServerCertificate;

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

function certificateOf(pem: string, where: string): X509Certificate {
  const block = PEM_CERT.exec(pem)?.[0];
  if (!block)
    throw new UserCertificateError(`${where}: not a PEM certificate (expected -----BEGIN CERTIFICATE-----)`);
  try {
    return new X509Certificate(block);
  } catch (err) {
    throw new UserCertificateError(
      `${where}: the PEM certificate does not parse (${(err as Error).message})`,
    );
  }
}

function keyOf(pem: string, where: string): KeyObject {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem))
    throw new UserCertificateError(`${where}: not a PEM private key (expected -----BEGIN PRIVATE KEY-----)`);
  // Encrypted keys fail in createPrivateKey with a code that varies by Node version; the PEM says so.
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem))
    throw new UserCertificateError(
      `${where}: the private key is encrypted; give it without a passphrase (openssl pkey -in key.pem -out plain.pem)`,
    );
  try {
    return createPrivateKey(pem);
  } catch (err) {
    // Node's message never quotes the key; its code is enough to say what is wrong.
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserCertificateError(`${where}: the PEM private key does not parse (${code ?? "invalid"})`);
  }
}

/**
 * Checks that `certPem` is a certificate valid now and `keyPem` its private key; `where` prefixes
 * the field names in errors ("cert", "auth.key").
 */
export function checkUserCertificate(
  certPem: string,
  keyPem: string,
  where = { cert: "cert", key: "key" },
  now = new Date(),
): UserCertificateInfo {
  const cert = certificateOf(certPem, where.cert);
  const key = keyOf(keyPem, where.key);
  const info: UserCertificateInfo = describeCertificate(cert.raw);
  if (!cert.checkPrivateKey(key))
    throw new UserCertificateError(
      `${where.key}: this private key does not belong to the certificate ${info.subject}`,
    );
  if (now < new Date(cert.validFrom) || now > new Date(cert.validTo))
    throw new UserCertificateError(
      `${where.cert}: the certificate ${info.subject} is valid from ${info.validFrom} to ${info.validTo}, not now`,
    );
  return info;
}

function readText(path: string, where: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new UserCertificateError(
      `${where}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
}

/** The PEM texts a certificate auth names: `cert` is a file's path, `key` a path or a secret reference. */
export function readUserCertificateFiles(
  auth: CertificateAuth,
  where = "auth",
): { cert: string; key: string } {
  const cert = readText(auth.cert, `${where}.cert`);
  const key =
    typeof auth.key === "string"
      ? readText(auth.key, `${where}.key`)
      : (() => {
          try {
            return resolveSecret(auth.key, `${where}.key`);
          } catch (err) {
            throw new UserCertificateError((err as Error).message);
          }
        })();
  return { cert, key };
}

/** Reads and checks the files a certificate auth names. */
export function checkUserCertificateFiles(auth: CertificateAuth, where = "auth"): UserCertificateInfo {
  const { cert, key } = readUserCertificateFiles(auth, where);
  return checkUserCertificate(cert, key, { cert: `${where}.cert`, key: `${where}.key` });
}

/**
 * What tells one user from another in a session key: for a certificate the files' contents (a file
 * replaced under the same path is another user), otherwise the auth itself.
 */
export function userIdentityKey(auth: OpcuaTransport["auth"]): string {
  if (auth.type !== "certificate") return JSON.stringify(auth);
  try {
    const { cert, key } = readUserCertificateFiles(auth);
    return `certificate:${createHash("sha256").update(cert).update("\0").update(key).digest("hex")}`;
  } catch {
    // Unreadable: the session will fail to open with the reason; the paths still keep it apart.
    return JSON.stringify(auth);
  }
}

/**
 * What is wrong with the user certificates OPC UA devices name (`tidegate-agent check`): a file
 * gone or a key that is not the certificate's shows before the session is refused.
 */
export function userCertificateProblems(
  devices: readonly { id: string; transport: { type: string; auth?: OpcuaTransport["auth"] } }[],
): string[] {
  const problems: string[] = [];
  devices.forEach((d, i) => {
    const auth = d.transport.type === "opcua" ? d.transport.auth : undefined;
    if (auth?.type !== "certificate") return;
    try {
      checkUserCertificateFiles(auth, `devices.${i}.transport.auth`);
    } catch (err) {
      if (!(err instanceof UserCertificateError)) throw err;
      problems.push(`${err.message} (device ${d.id})`);
    }
  });
  return problems;
}

const within = (path: string, root: string) => path === root || path.startsWith(`${root}${sep}`);
const realOr = (path: string) => {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
};

/**
 * Why the commissioning page may not use these files, or undefined: a page's user names files
 * only inside `roots` (the config folder with secrets.d/, the agent's OPC UA PKI folder), so it
 * cannot point the agent at any other key on the gateway. Paths must be absolute; a symlink out
 * of a root counts as outside. Checked before the files are read, so nothing outside is probed.
 */
export function userCertificateOutsideRoots(
  auth: OpcuaTransport["auth"],
  roots: readonly string[],
  where = "auth",
): string | undefined {
  if (auth.type !== "certificate") return undefined;
  const key = typeof auth.key === "string" ? auth.key : "file" in auth.key ? auth.key.file : undefined;
  const real = roots.map((r) => realOr(resolve(r)));
  for (const [field, path] of [
    [`${where}.cert`, auth.cert],
    [`${where}.key`, key],
  ] as const) {
    if (path === undefined) continue;
    if (!isAbsolute(path)) return `${field}: expected an absolute path on the gateway, got ${path}`;
    const lexical = resolve(path);
    if (!roots.some((r) => within(lexical, resolve(r))) || !real.some((r) => within(realOr(lexical), r)))
      return `${field}: ${path} is outside the folders the commissioning page may use (${roots.join(", ")}); upload the file, or put it in one of them`;
  }
  return undefined;
}
