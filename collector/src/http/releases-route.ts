import type { RouteGuard } from "@tidegate/http-kit";
import type { ReleasesAnswer } from "@tidegate/protocol";
import { type Context, Hono } from "hono";
import { type ReleaseShelf, ShelfUnavailableError } from "../releases/shelf.js";
import { checkReleaseUpload } from "../releases/upload.js";

export interface ReleaseRouteOptions {
  shelf: ReleaseShelf;
  /** The fleet's public key: when set, uploads it did not sign are refused. */
  publicKeyPem?: string;
  actor?: (c: Context) => string | undefined;
  onUpload?: (c: Context, version: string, ok: boolean, detail: string) => void;
  now?: () => number;
}

const unavailable = (c: Context, err: unknown) => {
  if (err instanceof ShelfUnavailableError) return c.json({ error: err.message }, 503);
  throw err;
};

/**
 * `GET /api/v1/releases` lists the agent releases in the bucket; `POST /api/v1/releases` (admin)
 * takes a multipart form with `tarball` (the file from npm run pack:agent) and `signature` (its
 * base64 ed25519 signature, text or file). A version is stored once: the same tarball again is
 * answered as stored, a different one under a stored version is refused (409).
 */
export function releaseRoutes(need: RouteGuard, o: ReleaseRouteOptions): Hono {
  const app = new Hono();
  app.get("/api/v1/releases", need("viewer"), async (c) => {
    try {
      const answer: ReleasesAnswer = { releases: await o.shelf.list() };
      return c.json(answer);
    } catch (err) {
      return unavailable(c, err);
    }
  });

  app.post("/api/v1/releases", need("admin"), async (c) => {
    if (!(c.req.header("content-type") ?? "").startsWith("multipart/form-data"))
      return c.json(
        { error: "send a multipart form with the fields tarball (the release file) and signature" },
        400,
      );
    let form: Record<string, string | File>;
    try {
      form = (await c.req.parseBody()) as Record<string, string | File>;
    } catch (err) {
      return c.json({ error: `the form cannot be read: ${(err as Error).message}` }, 400);
    }
    const file = form.tarball;
    if (!(file instanceof File))
      return c.json({ error: "tarball: missing; attach the release file as the form field tarball" }, 400);
    const sig = form.signature;
    const signature = sig instanceof File ? await sig.text() : sig;
    const by = o.actor?.(c);
    const bytes = new Uint8Array(await file.arrayBuffer());
    const checked = await checkReleaseUpload(
      { tarball: bytes, signature, ...(by ? { by } : {}) },
      { ...(o.publicKeyPem ? { publicKeyPem: o.publicKeyPem } : {}), now: (o.now ?? Date.now)() },
    );
    if (!checked.ok) {
      o.onUpload?.(c, "?", false, checked.error);
      return c.json({ error: checked.error }, 400);
    }
    const { manifest } = checked;
    try {
      const stored = await o.shelf.get(manifest.version);
      if (stored && stored.sha256 !== manifest.sha256) {
        const error = `release ${manifest.version} is stored already with another tarball (sha256 ${stored.sha256}); give the new build a new version`;
        o.onUpload?.(c, manifest.version, false, error);
        return c.json({ error }, 409);
      }
      if (stored) return c.json({ release: stored, stored: false });
      await o.shelf.put(manifest, bytes);
    } catch (err) {
      return unavailable(c, err);
    }
    o.onUpload?.(c, manifest.version, true, `sha256 ${manifest.sha256}, ${manifest.size} bytes`);
    return c.json({ release: manifest, stored: true }, 201);
  });
  return app;
}
