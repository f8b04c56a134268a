import { createHash, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { OpcuaServerCertificate } from "@tidegate/protocol";
import type { OPCUACertificateManager } from "node-opcua-certificate-manager";

/**
 * The agent's OPC UA trust store, in its state folder (`opcua-pki/` beside the buffer): its own
 * application certificate, made on first use, and the servers it trusts. An unknown server
 * certificate is refused and kept in `rejected/`, until an admin trusts it by fingerprint
 * (`tidegate-agent opcua trust <fingerprint>`): trusting on first use would let anyone on the plant
 * network stand in for a PLC.
 */
export function pkiDir(stateDir: string): string {
  return join(stateDir, "opcua-pki");
}

/** The agent's state folder: where its buffer file is (the working folder for an in-memory buffer). */
export function stateDirOf(bufferPath: string): string {
  return bufferPath === ":memory:" ? process.cwd() : dirname(bufferPath);
}

export async function openCertificateManager(stateDir: string): Promise<OPCUACertificateManager> {
  // Loaded here, not at the top: the CLI lists certificates without node-opcua.
  const { OPCUACertificateManager } = await import("node-opcua-certificate-manager");
  const cm = new OPCUACertificateManager({
    rootFolder: pkiDir(stateDir),
    automaticallyAcceptUnknownCertificate: false,
  });
  await cm.initialize();
  return cm;
}

/** SHA-1 of the certificate's DER, lowercase hex: the thumbprint OPC UA tools show. */
export function fingerprint(der: Buffer): string {
  return createHash("sha1").update(der).digest("hex");
}

function toDer(file: string): Buffer {
  const bytes = readFileSync(file);
  const text = bytes.toString("latin1");
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(text);
  return m ? Buffer.from((m[1] as string).replace(/\s+/g, ""), "base64") : bytes;
}

export interface CertificateEntry {
  fingerprint: string;
  file: string;
  status: "rejected" | "trusted";
  /** Subject, issuer and validity; absent for a file that is not a readable X.509 certificate. */
  certificate?: ServerCertificate;
}

/** Certificates in the trust store, pending (rejected) and trusted, read from disk without node-opcua. */
export function listCertificates(stateDir: string): CertificateEntry[] {
  const out: CertificateEntry[] = [];
  for (const status of ["rejected", "trusted"] as const) {
    const dir =
      status === "rejected" ? join(pkiDir(stateDir), "rejected") : join(pkiDir(stateDir), "trusted", "certs");
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (!/\.(pem|der)$/i.test(name)) continue;
      const file = join(dir, name);
      const der = toDer(file);
      out.push({ fingerprint: fingerprint(der), file, status, ...readable(der) });
    }
  }
  return out;
}

/** A trust request that names no certificate (404) or too few digits (400). */
export class TrustError extends Error {
  override name = "TrustError";
  constructor(
    message: string,
    readonly status: 400 | 404,
  ) {
    super(message);
  }
}

/** Moves a rejected server certificate to the trusted ones; the prefix may be given with or without colons. */
export function trustCertificate(stateDir: string, wanted: string): Promise<CertificateEntry> {
  return moveCertificate(stateDir, wanted, "trusted");
}

/**
 * Moves a trusted server certificate back to the rejected ones: the next connect to that server is
 * refused until an admin trusts it again (a session open now lasts until its next reconnect).
 */
export function untrustCertificate(stateDir: string, wanted: string): Promise<CertificateEntry> {
  return moveCertificate(stateDir, wanted, "rejected");
}

async function moveCertificate(
  stateDir: string,
  wanted: string,
  to: CertificateEntry["status"],
): Promise<CertificateEntry> {
  const want = wanted.toLowerCase().replace(/[^0-9a-f]/g, "");
  if (want.length < 8)
    throw new TrustError(`'${wanted}': give at least 8 hex digits of the fingerprint`, 400);
  const matches = listCertificates(stateDir).filter((c) => c.fingerprint.startsWith(want));
  const movable = matches.filter((c) => c.status !== to);
  if (movable.length === 0) {
    // Already where it is asked to go: the same answer as a move, so a repeated click is harmless.
    if (matches.length > 0) return matches[0] as CertificateEntry;
    throw new TrustError(
      to === "trusted"
        ? `no pending certificate with fingerprint ${wanted}; \`tidegate-agent opcua certs\` lists them (a server's certificate appears after the agent first tried to connect to it)`
        : `no trusted certificate with fingerprint ${wanted}; \`tidegate-agent opcua certs\` lists them`,
      404,
    );
  }
  if (movable.length > 1)
    throw new TrustError(
      `fingerprint ${wanted} matches ${movable.length} certificates; give more digits`,
      400,
    );
  const entry = movable[0] as CertificateEntry;
  if (to === "rejected") {
    // A plain move, without loading node-opcua: a running trust store watches its folders, and
    // every connect opens the store afresh anyway.
    const file = join(pkiDir(stateDir), "rejected", basename(entry.file));
    mkdirSync(dirname(file), { recursive: true });
    renameSync(entry.file, file);
    return { ...entry, file, status: to };
  }
  const cm = await openCertificateManager(stateDir);
  try {
    await cm.trustCertificate(toDer(entry.file));
  } finally {
    await cm.dispose();
  }
  return { ...entry, status: to };
}

export type ServerCertificate = OpcuaServerCertificate;

/** The server's certificate is not in the trust store (HTTP 409): an admin decides, by its fingerprint. */
export class UntrustedServerError extends Error {
  override name = "UntrustedServerError";
  constructor(
    readonly certificate: ServerCertificate,
    readonly reason: string,
  ) {
    super(
      `the server's certificate (${certificate.subject}, SHA-1 ${certificate.fingerprint}) is not trusted (${reason}): an admin trusts it on this page or with \`tidegate-agent opcua trust ${certificate.fingerprint.slice(0, 12)}\``,
    );
  }
}

export function describeCertificate(der: Buffer): ServerCertificate {
  const x = new X509Certificate(der);
  const oneLine = (dn: string) => dn.split("\n").join(", ");
  return {
    subject: oneLine(x.subject),
    issuer: oneLine(x.issuer),
    fingerprint: fingerprint(der),
    validFrom: new Date(x.validFrom).toISOString(),
    validTo: new Date(x.validTo).toISOString(),
  };
}

function readable(der: Buffer): { certificate?: ServerCertificate } {
  try {
    return { certificate: describeCertificate(der) };
  } catch {
    return {};
  }
}
