import { generateReleaseKeys, sha256Hex, signRelease } from "@tidegate/node-kit";
import type { ReleaseManifest } from "@tidegate/protocol";
import type { MiddlewareHandler } from "hono";
import { describe, expect, it } from "vitest";
import { fakeReleaseTarball } from "../../../test/helpers/release-tarball.js";
import type { ReleaseShelf } from "../releases/shelf.js";
import { releaseRoutes } from "./releases-route.js";

const RANK = { viewer: 0, operator: 1, admin: 2 } as const;
type Role = keyof typeof RANK;
const headerGuard =
  (role: Role): MiddlewareHandler =>
  async (c, next) => {
    const have = (c.req.header("x-role") ?? "viewer") as Role;
    if (RANK[have] < RANK[role]) return c.json({ error: `${role} role required` }, 403);
    await next();
  };

const keys = generateReleaseKeys();
const other = generateReleaseKeys();

function setup(o: { publicKeyPem?: string } = {}) {
  const stored = new Map<string, { manifest: ReleaseManifest; bytes: Uint8Array }>();
  const shelf: ReleaseShelf = {
    list: async () => [...stored.values()].map((s) => s.manifest),
    get: async (v) => stored.get(v)?.manifest,
    put: async (manifest, bytes) => void stored.set(manifest.version, { manifest, bytes }),
  };
  const app = releaseRoutes(headerGuard, { shelf, now: () => 1_700_000_000_000, ...o });
  const upload = (fields: Record<string, string | Uint8Array>, role: Role = "admin") => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) {
      if (typeof v === "string") form.set(k, v);
      else form.set(k, new Blob([Buffer.from(v)]), "x.tar.gz");
    }
    return app.request("/api/v1/releases", { method: "POST", body: form, headers: { "x-role": role } });
  };
  return { app, stored, upload };
}

describe("release routes", () => {
  it("stores a signed agent release with its manifest and lists it", async () => {
    const { app, stored, upload } = setup({ publicKeyPem: keys.publicKeyPem });
    const tarball = fakeReleaseTarball({ version: "1.4.0" });
    const signature = signRelease(tarball, keys.privateKeyPem);
    const res = await upload({ tarball, signature });
    expect(res.status).toBe(201);
    const manifest = {
      app: "agent",
      version: "1.4.0",
      sha256: sha256Hex(tarball),
      size: tarball.length,
      signature,
      uploadedAt: 1_700_000_000_000,
    };
    expect(await res.json()).toEqual({ release: manifest, stored: true });
    expect(Buffer.from(stored.get("1.4.0")?.bytes ?? [])).toEqual(Buffer.from(tarball));
    const list = await app.request("/api/v1/releases");
    expect(await list.json()).toEqual({ releases: [manifest] });
    // The same file again is answered as stored; another file under that version is refused.
    expect((await upload({ tarball, signature })).status).toBe(200);
    const changed = fakeReleaseTarball({ version: "1.4.0", files: { "dist/cli.js": "// other\n" } });
    const clash = await upload({ tarball: changed, signature: signRelease(changed, keys.privateKeyPem) });
    expect(clash.status).toBe(409);
    expect((await clash.json()).error).toMatch(/give the new build a new version/);
  });

  it("answers 400 with what is wrong: unsigned, signed by another key, not a release, no file", async () => {
    const { stored, upload } = setup({ publicKeyPem: keys.publicKeyPem });
    const tarball = fakeReleaseTarball();
    const cases: [Record<string, string | Uint8Array>, RegExp][] = [
      [{ tarball }, /^signature: the release has no signature/],
      [{ tarball, signature: "abc" }, /^signature: the signature is not an ed25519 signature/],
      [
        { tarball, signature: signRelease(tarball, other.privateKeyPem) },
        /^signature: the release is not signed by the fleet's release key/,
      ],
      [{ signature: "x" }, /^tarball: missing/],
      [
        {
          tarball: new TextEncoder().encode("not gzip"),
          signature: signRelease(tarball, keys.privateKeyPem),
        },
        /^tarball: /,
      ],
    ];
    const collectorRelease = fakeReleaseTarball({ name: "tidegate-collector" });
    cases.push([
      { tarball: collectorRelease, signature: signRelease(collectorRelease, keys.privateKeyPem) },
      /only agent releases go to gateways/,
    ]);
    for (const [fields, error] of cases) {
      const res = await upload(fields);
      expect(res.status, JSON.stringify(Object.keys(fields))).toBe(400);
      expect((await res.json()).error).toMatch(error);
    }
    expect(stored.size).toBe(0);
  });

  it("takes uploads from admins only, and a JSON body is refused with what to send", async () => {
    const { app, upload } = setup();
    const tarball = fakeReleaseTarball();
    expect(
      (await upload({ tarball, signature: signRelease(tarball, keys.privateKeyPem) }, "operator")).status,
    ).toBe(403);
    const json = await app.request("/api/v1/releases", {
      method: "POST",
      body: "{}",
      headers: { "x-role": "admin", "content-type": "application/json" },
    });
    expect(json.status).toBe(400);
    expect((await json.json()).error).toMatch(/multipart form with the fields tarball/);
  });
});
