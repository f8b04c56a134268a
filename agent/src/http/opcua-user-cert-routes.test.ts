import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testAuthStore } from "@tidegate/http-kit/testing";
import { loadProfiles, type OpcuaProfile } from "@tidegate/profiles";
import { type OpcuaSimulator, startOpcuaSimulator } from "@tidegate/simulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stubAgentView } from "../../../test/helpers/agent-view.js";
import { makeUserCertificate, type UserCertificate } from "../../../test/helpers/user-certificate.js";
import { browseEndpoint, closeEndpointSessions } from "../sources/opcua/endpoint.js";
import { createAgentApp } from "./app.js";

// Certificate user login on the commissioning page, in-process: the upload's checks, and browsing a
// real node-opcua server that accepts one known user certificate and no anonymous session.

const auth = testAuthStore();
let dir: string;
let secretsDir: string;
let sim: OpcuaSimulator;
let app: ReturnType<typeof createAgentApp>;
let known: UserCertificate;
let second: UserCertificate;
let stranger: UserCertificate;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-opcua-user-cert-"));
  secretsDir = join(dir, "etc", "secrets.d");
  known = makeUserCertificate(dir, "line2-operator");
  second = makeUserCertificate(dir, "line2-fitter");
  stranger = makeUserCertificate(dir, "stranger");
  sim = await startOpcuaSimulator({
    profile: loadProfiles().get("generic/opcua-machine") as OpcuaProfile,
    pkiDir: join(dir, "sim"),
    tickMs: 200,
    userCertificates: [known.cert, second.cert],
  });
  const stateDir = join(dir, "agent");
  app = createAgentApp(stubAgentView, {
    auth: { store: auth.store },
    local: {
      opcuaEndpoint: {
        browse: (target, node) => browseEndpoint(target, node, { stateDir }),
        secretsDir,
        // The test's own folder holds the certificates the page names by path.
        certRoots: [dir],
      },
      userCertRoots: [dir],
    },
  });
}, 60_000);

afterAll(async () => {
  await closeEndpointSessions();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

const send = async (path: string, body: unknown, role: "viewer" | "operator" = "operator") => {
  const res = await app.request(path, {
    method: "POST",
    headers: { ...auth.headers[role], "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: string } };
};
const upload = (body: unknown, role?: "viewer" | "operator") =>
  send("/api/v1/commission/opcua/user-certs", body, role);
const browse = (auth: unknown) =>
  send("/api/v1/commission/opcua/browse", { endpoint: sim.endpointUrl, auth });
const certAuth = (c: { certFile: string; keyFile: string }) => ({
  type: "certificate",
  cert: c.certFile,
  key: { file: c.keyFile },
});

describe("POST /api/v1/commission/opcua/user-certs", () => {
  it("keeps a checked pair in secrets.d/ (0600 files, a 0700 folder) and answers where, never the key", async () => {
    const res = await upload({ name: "line2-operator", cert: known.cert, key: known.key });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: "line2-operator",
      cert: join(secretsDir, "opcua-user-line2-operator.cert.pem"),
      key: join(secretsDir, "opcua-user-line2-operator.key.pem"),
      subject: "CN=line2-operator",
      fingerprint: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(JSON.stringify(res.body)).not.toContain("PRIVATE KEY");
    expect(readFileSync(res.body.key as string, "utf8")).toBe(known.key);
    expect(statSync(res.body.key as string).mode & 0o777).toBe(0o600);
    expect(statSync(res.body.cert as string).mode & 0o777).toBe(0o600);
    expect(statSync(secretsDir).mode & 0o777).toBe(0o700);
    expect(auth.store.auditLog({ action: "opcua.user-cert" })).toContainEqual(
      expect.objectContaining({
        target: "line2-operator",
        detail: expect.stringContaining("CN=line2-operator"),
      }),
    );
    // The same pair again is no change; another pair under that name is refused.
    expect((await upload({ name: "line2-operator", cert: known.cert, key: known.key })).status).toBe(200);
    const taken = await upload({ name: "line2-operator", cert: stranger.cert, key: stranger.key });
    expect(taken.status).toBe(400);
    expect(taken.body.error).toBe(
      "name: a user certificate named line2-operator is already kept on the gateway; choose another name",
    );
    expect(readFileSync(res.body.cert as string, "utf8")).toBe(known.cert);
  });

  it("refuses a bad body, a bad name, a file that is not PEM and a key of another certificate, in words", async () => {
    const empty = await upload({});
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatch(/^name: .*; cert: .*; key: .*expected JSON \{ "name"/);
    const name = await upload({ name: "../etc/passwd", cert: known.cert, key: known.key });
    expect(name.body.error).toMatch(/^name: expected letters, digits, - or _/);
    const notPem = await upload({ name: "x", cert: "MIIB…", key: known.key });
    expect(notPem).toEqual({
      status: 400,
      body: { error: "cert: not a PEM certificate (expected -----BEGIN CERTIFICATE-----)" },
    });
    const mismatch = await upload({ name: "x", cert: known.cert, key: stranger.key });
    expect(mismatch).toEqual({
      status: 400,
      body: { error: "key: this private key does not belong to the certificate CN=line2-operator" },
    });
    expect((await upload({ name: "x", cert: known.cert, key: known.key }, "viewer")).status).toBe(403);
  });
});

describe("POST /api/v1/commission/opcua/browse with a user certificate", () => {
  it("browses as a certificate the server knows, and refuses one it does not in words", async () => {
    const ok = await browse(certAuth(known));
    expect(ok.status).toBe(200);
    expect((ok.body.nodes as { browseName: string }[]).some((n) => n.browseName === "Tags")).toBe(true);
    const refused = await browse(certAuth(stranger));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(
      new RegExp(
        `^the server refused the session: .*BadIdentityTokenRejected.*does not accept the user certificate ${stranger.certFile}`,
      ),
    );
    expect((await browse({ type: "anonymous" })).status).toBe(400);
  }, 60_000);

  it("opens one session per certificate user, reused by the next click of the same user", async () => {
    await closeEndpointSessions();
    const before = sim.sessionCounts().created;
    expect((await browse(certAuth(known))).status).toBe(200);
    expect((await browse(certAuth(known))).status).toBe(200);
    expect(sim.sessionCounts().created - before).toBe(1);
    expect((await browse(certAuth(second))).status).toBe(200);
    expect(sim.sessionCounts().created - before).toBe(2);
  }, 60_000);

  it("checks the named files before asking the server", async () => {
    const relative = await browse({ type: "certificate", cert: "user.pem", key: known.keyFile });
    expect(relative.body.error).toBe("auth.cert: expected an absolute path on the gateway, got user.pem");
    const elsewhere = await browse({ type: "certificate", cert: "/etc/ssl/certs/x.pem", key: known.keyFile });
    expect(elsewhere.body.error).toBe(
      `auth.cert: /etc/ssl/certs/x.pem is outside the folders the commissioning page may use (${dir}); upload the file, or put it in one of them`,
    );
    const missing = join(dir, "missing.pem");
    const gone = await browse({ type: "certificate", cert: missing, key: { file: known.keyFile } });
    expect(gone).toEqual({ status: 400, body: { error: `auth.cert: cannot read ${missing} (ENOENT)` } });
    const mismatch = await browse({ type: "certificate", cert: known.certFile, key: stranger.keyFile });
    expect(mismatch).toEqual({
      status: 400,
      body: { error: "auth.key: this private key does not belong to the certificate CN=line2-operator" },
    });
  }, 60_000);
});

describe("an OPC UA device with a user certificate, previewed or added from the page", () => {
  it("may name files only inside the page's folders", async () => {
    const device = {
      id: "press-3",
      profile: "local/press-3",
      transport: {
        type: "opcua",
        endpoint: sim.endpointUrl,
        auth: { type: "certificate", cert: "/etc/ssl/certs/x.pem", key: { file: known.keyFile } },
      },
      nodes: [
        { id: "program", name: "Program", browsePath: "Tags/Program", namespace: "urn:tidegate:machine" },
      ],
    };
    for (const path of ["/api/v1/commission/preview", "/api/v1/commission/devices"]) {
      const res = await send(path, { device });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(
        /^device\.transport\.auth\.cert: \/etc\/ssl\/certs\/x\.pem is outside the folders/,
      );
    }
  });
});
