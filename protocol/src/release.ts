import { z } from "zod";

/**
 * Agent releases live in a JetStream Object Store bucket: one object per release, named by its
 * version, holding the tarball `npm run pack:agent` makes; the object's metadata carries the
 * manifest. The signature is ed25519 over the tarball's bytes, so it binds what is unpacked, not a
 * description of it.
 */
export const RELEASES_BUCKET = "tidegate-releases";

/** A release version as pack-release names it (package.json's version), safe as an object and folder name. */
export const releaseVersionSchema = z
  .string()
  .regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, "expected a version like 1.4.2 or 1.5.0-rc.1")
  .max(64);

export const releaseManifestSchema = z.object({
  app: z.literal("agent"),
  version: releaseVersionSchema,
  /** Hex sha256 of the tarball. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().positive(),
  /**
   * Base64 ed25519 signature over the tarball's bytes. The collector stores none without one, but
   * a bucket is writable by whoever holds its credentials, so gateways read an empty or missing
   * one as what it is (unsigned) and refuse it.
   */
  signature: z.string().default(""),
  uploadedAt: z.number().int(),
  uploadedBy: z.string().optional(),
});
export type ReleaseManifest = z.infer<typeof releaseManifestSchema>;

/**
 * What a gateway reports of an upgrade, in its heartbeat. `failed` and `rolled-back` say why in
 * `error`; `refused` is a release the gateway would not take (unsigned, another key, bad digest).
 */
export const UPGRADE_STATES = [
  "downloading",
  "verifying",
  "installing",
  "restarting",
  "healthy",
  "rolled-back",
  "refused",
  "failed",
] as const;
export const upgradeStateSchema = z.enum(UPGRADE_STATES);
export type UpgradeState = z.infer<typeof upgradeStateSchema>;

export const upgradeStatusSchema = z.object({
  state: upgradeStateSchema,
  /** The release being installed (or that was). */
  version: z.string(),
  /** The version it replaces. */
  from: z.string().optional(),
  /** When the state was entered. */
  at: z.number().int(),
  error: z.string().optional(),
  /** While downloading: bytes received of `size`. */
  received: z.number().int().nonnegative().optional(),
  size: z.number().int().nonnegative().optional(),
});
export type UpgradeStatus = z.infer<typeof upgradeStatusSchema>;

/** The object's metadata key that carries the manifest (JSON). */
const MANIFEST_KEY = "tidegate-manifest";

export const releaseObjectMetadata = (m: ReleaseManifest): Record<string, string> => ({
  [MANIFEST_KEY]: JSON.stringify(m),
});

/** The manifest of a bucket object, or undefined for an object that is not a Tidegate release. */
export function releaseManifestOf(metadata: Record<string, string> | undefined): ReleaseManifest | undefined {
  const text = metadata?.[MANIFEST_KEY];
  if (text === undefined) return undefined;
  try {
    const parsed = releaseManifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
