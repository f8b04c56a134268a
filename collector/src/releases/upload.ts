import { decodeSignature, ReleaseSignatureError, sha256Hex, verifyRelease } from "@tidegate/node-kit";
import { type ReleaseManifest, releaseVersionSchema } from "@tidegate/protocol";
import { readReleasePackage } from "./tarball.js";

/** The largest tarball the collector takes; an agent release is a few MB. */
export const MAX_RELEASE_BYTES = 256 * 1024 * 1024;

export interface ReleaseUpload {
  tarball: Uint8Array;
  /** Base64 ed25519 signature of the tarball, as `release sign` writes it. */
  signature: string | undefined;
  by?: string;
}

/**
 * Checks an upload and makes its manifest, or says what is wrong with it. With `publicKeyPem`
 * (the collector was given the fleet's public key) a release the key did not sign is refused here;
 * gateways check again either way, since the bucket is not the place trust comes from.
 */
export async function checkReleaseUpload(
  upload: ReleaseUpload,
  o: { publicKeyPem?: string; now?: number } = {},
): Promise<{ ok: true; manifest: ReleaseManifest } | { ok: false; error: string }> {
  const { tarball } = upload;
  if (tarball.length === 0) return { ok: false, error: "tarball: the file is empty" };
  if (tarball.length > MAX_RELEASE_BYTES)
    return { ok: false, error: `tarball: ${tarball.length} bytes is over the limit of ${MAX_RELEASE_BYTES}` };
  try {
    decodeSignature(upload.signature);
  } catch (err) {
    const e = err as ReleaseSignatureError;
    return { ok: false, error: `signature: ${e.message}${e.hint ? `; ${e.hint}` : ""}` };
  }
  const pkg = await readReleasePackage(tarball);
  if ("error" in pkg) return { ok: false, error: `tarball: ${pkg.error}` };
  if (pkg.name !== "tidegate-agent")
    return {
      ok: false,
      error: `tarball: it is a ${pkg.name} release; only agent releases go to gateways (npm run pack:agent)`,
    };
  const version = releaseVersionSchema.safeParse(pkg.version);
  if (!version.success)
    return { ok: false, error: `tarball: version '${pkg.version}': ${version.error.issues[0]?.message}` };
  if (o.publicKeyPem !== undefined) {
    try {
      verifyRelease({
        tarball,
        signature: upload.signature,
        publicKeyPem: o.publicKeyPem,
        keyWhere: "the fleet's release key",
      });
    } catch (err) {
      if (!(err instanceof ReleaseSignatureError)) throw err;
      return { ok: false, error: `signature: ${err.message}` };
    }
  }
  return {
    ok: true,
    manifest: {
      app: "agent",
      version: version.data,
      sha256: sha256Hex(tarball),
      size: tarball.length,
      signature: (upload.signature as string).trim(),
      uploadedAt: o.now ?? Date.now(),
      ...(upload.by ? { uploadedBy: upload.by } : {}),
    },
  };
}
