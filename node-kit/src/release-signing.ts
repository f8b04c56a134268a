import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from "node:crypto";
import { TidegateError } from "@tidegate/protocol";

/**
 * Release signatures: ed25519 over the tarball's bytes, with node:crypto. The collector's admin
 * keeps the private key offline; gateways are provisioned with the public key (a PEM file) and
 * refuse a release the key did not sign.
 */
export class ReleaseSignatureError extends TidegateError {
  constructor(
    readonly code: "release.unsigned" | "release.bad-signature" | "release.bad-digest" | "release.bad-key",
    message: string,
    hint?: string,
  ) {
    super(message, hint === undefined ? {} : { hint });
  }
}

export interface ReleaseKeyPair {
  /** PKCS#8 PEM: keep it off the collector and the gateways. */
  privateKeyPem: string;
  /** SPKI PEM: what gateways are provisioned with. */
  publicKeyPem: string;
}

export function generateReleaseKeys(): ReleaseKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

export const sha256Hex = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

function keyOf(pem: string, kind: "private" | "public", where: string) {
  try {
    const key = kind === "private" ? createPrivateKey(pem) : createPublicKey(pem);
    if (key.asymmetricKeyType !== "ed25519")
      throw new Error(`it is a ${key.asymmetricKeyType ?? "symmetric"} key`);
    return key;
  } catch (err) {
    throw new ReleaseSignatureError(
      "release.bad-key",
      `${where}: not an ed25519 ${kind} key in PEM (${(err as Error).message})`,
      "make a key pair with `tidegate-collector release keygen`",
    );
  }
}

/** The base64 signature of a tarball. */
export function signRelease(tarball: Uint8Array, privateKeyPem: string, where = "private key"): string {
  return sign(null, tarball, keyOf(privateKeyPem, "private", where)).toString("base64");
}

/** Checks a signature's form and that it is 64 bytes of base64, before any key is asked. */
export function decodeSignature(signature: string | undefined): Buffer {
  const text = signature?.trim() ?? "";
  if (text === "")
    throw new ReleaseSignatureError(
      "release.unsigned",
      "the release has no signature",
      "sign it with `tidegate-collector release sign` and upload the signature with it",
    );
  const bytes = Buffer.from(text, "base64");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || bytes.length !== 64)
    throw new ReleaseSignatureError(
      "release.bad-signature",
      `the signature is not an ed25519 signature in base64 (${bytes.length} bytes; expected 64)`,
    );
  return bytes;
}

/**
 * Throws unless the tarball has the expected sha256 (when given) and `signature` is the
 * public key's signature of it. The digest is checked first: a download that went wrong says so,
 * rather than looking like a forged release.
 */
export function verifyRelease(o: {
  tarball: Uint8Array;
  signature: string | undefined;
  publicKeyPem: string;
  sha256?: string;
  /** Names the key in errors ("upgrade.publicKey /etc/tidegate/release.pub"). */
  keyWhere?: string;
}): void {
  if (o.sha256 !== undefined) {
    const actual = sha256Hex(o.tarball);
    if (actual !== o.sha256)
      throw new ReleaseSignatureError(
        "release.bad-digest",
        `the tarball's sha256 is ${actual}, the manifest says ${o.sha256}`,
        "the download was damaged or the release was replaced; try again or upload it again",
      );
  }
  const signature = decodeSignature(o.signature);
  const key = keyOf(o.publicKeyPem, "public", o.keyWhere ?? "public key");
  if (!verify(null, o.tarball, key, signature))
    throw new ReleaseSignatureError(
      "release.bad-signature",
      `the release is not signed by ${o.keyWhere ?? "this public key"}: signed by another key, or altered after signing`,
      "sign it with the private key that belongs to the gateways' public key",
    );
}
