import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testAuthStore } from "@tidegate/http-kit/testing";
import { loadProfiles, type OpcuaProfile } from "@tidegate/profiles";
import { type OpcuaSimulator, startOpcuaSimulator } from "@tidegate/simulators";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stubAgentView } from "../../../test/helpers/agent-view.js";
import { createPreview } from "../commission/add/preview.js";
import type { LoadedConfig } from "../config/load.js";
import type { BrowsedNode } from "../sources/opcua/browse.js";
import { browseEndpoint, closeEndpointSessions, readEndpointPoints } from "../sources/opcua/endpoint.js";
import { listCertificates, trustCertificate, untrustCertificate } from "../sources/opcua/pki.js";
import { createAgentApp } from "./app.js";

// The routes in-process, with a real node-opcua server on loopback behind them.

const profiles = loadProfiles();
const auth = testAuthStore();
let sim: OpcuaSimulator;
let dir: string;
let app: ReturnType<typeof createAgentApp>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-opcua-routes-"));
  sim = await startOpcuaSimulator({
    profile: profiles.get("generic/opcua-machine") as OpcuaProfile,
    pkiDir: join(dir, "sim"),
    tickMs: 200,
  });
  sim.set("program", "P-7");
  // The pinned value is served from the next tick on.
  await new Promise((r) => setTimeout(r, 500));
  const stateDir = join(dir, "agent");
  const lifecycle = {
    loaded: () =>
      ({
        file: "agent.yaml",
        config: { devices: [] },
        profiles,
        library: { all: () => profiles },
        warnings: [],
      }) as unknown as LoadedConfig,
    modbusTarget: () => undefined,
  };
  app = createAgentApp(stubAgentView, {
    auth: { store: auth.store },
    local: {
      opcuaEndpoint: { browse: (target, node) => browseEndpoint(target, node, { stateDir }) },
      opcuaCerts: {
        list: () => listCertificates(stateDir),
        // As agent.ts wires them: a trust change closes the cached browse sessions.
        trust: (fingerprint) => trustCertificate(stateDir, fingerprint).finally(closeEndpointSessions),
        untrust: (fingerprint) => untrustCertificate(stateDir, fingerprint).finally(closeEndpointSessions),
      },
      preview: createPreview(lifecycle, pino({ level: "silent" }), {
        readOpcua: (target, profile, o) => readEndpointPoints(target, profile, { ...o, stateDir }),
      }),
    },
  });
}, 60_000);

afterAll(async () => {
  await closeEndpointSessions();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const send = (path: string, body: unknown, role: "viewer" | "operator" | "admin" = "operator") =>
  app.request(path, {
    method: "POST",
    headers: { ...auth.headers[role], "content-type": "application/json" },
    body: JSON.stringify(body),
  });

type Node = BrowsedNode;
const browse = async (body: object) => {
  const res = await send("/api/v1/commission/opcua/browse", body);
  return {
    status: res.status,
    body: (await res.json()) as { nodes: Node[]; error?: string; certificate?: Record<string, string> },
  };
};

describe("POST /api/v1/commission/opcua/browse", () => {
  it("answers one level at a time: the Objects folder, then a folder's variables with type, access, value and status", async () => {
    const top = await browse({ endpoint: sim.endpointUrl });
    expect(top.status).toBe(200);
    const tags = top.body.nodes.find((n) => n.browseName === "Tags");
    expect(tags).toMatchObject({ nodeClass: "Object", namespaceUri: "urn:tidegate:machine" });
    expect(top.body.nodes.some((n) => n.browseName === "Machine")).toBe(true);
    const inner = await browse({ endpoint: sim.endpointUrl, node: tags?.nodeId });
    const program = inner.body.nodes.find((n) => n.browseName === "Program");
    expect(program).toMatchObject({
      nodeClass: "Variable",
      dataType: "String",
      accessLevel: { read: true },
      value: "P-7",
      statusCode: "Good",
      browseNamespaceUri: "urn:tidegate:machine",
    });
    expect(program?.nodeId).toMatch(/^ns=\d+;s=Machine\.Program$/);
  }, 60_000);

  it("refuses a bad body or NodeId with what to send, and says when nothing answers", async () => {
    const bad = await browse({ endpoint: "http://plc" });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/endpoint: expected opc\.tcp:\/\/host:port/);
    const node = await browse({ endpoint: sim.endpointUrl, node: "no such node" });
    expect(node.status).toBe(400);
    expect(node.body.error).toMatch(/is not a NodeId/);
    const none = await browse({ endpoint: "opc.tcp://127.0.0.1:1" });
    expect(none.status).toBe(503);
    expect(none.body.error).toMatch(/cannot connect to opc\.tcp:\/\/127\.0\.0\.1:1/);
  }, 60_000);

  it("shows an unknown server certificate, lists it pending, and browses once an admin trusted it", async () => {
    const secure = {
      endpoint: sim.endpointUrl,
      securityMode: "SignAndEncrypt",
      securityPolicy: "Basic256Sha256",
    };
    const refused = await browse(secure);
    expect(refused.status).toBe(409);
    expect(refused.body.certificate).toMatchObject({ fingerprint: sim.fingerprint });
    expect(refused.body.certificate?.subject).toMatch(/CN=/);
    expect(Date.parse(refused.body.certificate?.validTo ?? "")).toBeGreaterThan(Date.now());
    const certs = await app.request("/api/v1/opcua/certs", { headers: auth.headers.operator });
    expect((await certs.json()).certificates).toContainEqual(
      expect.objectContaining({
        fingerprint: sim.fingerprint,
        status: "pending",
        subject: refused.body.certificate?.subject,
      }),
    );
    const operator = await send("/api/v1/opcua/trust", { fingerprint: sim.fingerprint }, "operator");
    expect(operator.status).toBe(403);
    const admin = await send("/api/v1/opcua/trust", { fingerprint: sim.fingerprint }, "admin");
    expect(await admin.json()).toEqual({ fingerprint: sim.fingerprint, status: "trusted" });
    const after = await browse(secure);
    expect(after.status).toBe(200);
    expect(after.body.nodes.some((n) => n.browseName === "Tags")).toBe(true);

    // Un-trusted again: pending, and the next connect is refused until an admin trusts it anew.
    expect((await send("/api/v1/opcua/untrust", { fingerprint: sim.fingerprint }, "operator")).status).toBe(
      403,
    );
    const untrusted = await send("/api/v1/opcua/untrust", { fingerprint: sim.fingerprint }, "admin");
    expect(await untrusted.json()).toEqual({ fingerprint: sim.fingerprint, status: "pending" });
    const listed = await app.request("/api/v1/opcua/certs", { headers: auth.headers.operator });
    expect((await listed.json()).certificates).toContainEqual(
      expect.objectContaining({ fingerprint: sim.fingerprint, status: "pending" }),
    );
    const refusedAgain = await browse(secure);
    expect(refusedAgain.status).toBe(409);
    expect(refusedAgain.body.certificate).toMatchObject({ fingerprint: sim.fingerprint });
    const unknown = await send("/api/v1/opcua/untrust", { fingerprint: "0123456789abcdef" }, "admin");
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toMatch(/no trusted certificate with fingerprint 0123456789abcdef/);
    const audit = auth.store.auditLog({ action: "opcua.untrust" });
    expect(audit).toContainEqual(
      expect.objectContaining({ action: "opcua.untrust", target: sim.fingerprint }),
    );
    expect((await send("/api/v1/opcua/trust", { fingerprint: sim.fingerprint }, "admin")).status).toBe(200);
    expect((await browse(secure)).status).toBe(200);
  }, 60_000);
});

describe("POST /api/v1/commission/preview of an OPC UA device", () => {
  it("reads the picked nodes by browse path and NodeId, namespaces by URI", async () => {
    const res = await send("/api/v1/commission/preview", {
      cycles: 2,
      device: {
        id: "press-9",
        profile: "local/press-9",
        pollIntervalMs: 200,
        transport: { type: "opcua", endpoint: sim.endpointUrl },
        nodes: [
          {
            id: "program",
            name: "Program",
            type: "string",
            browsePath: "Tags/Program",
            namespace: "urn:tidegate:machine",
          },
          {
            id: "speed",
            name: "Spindle speed",
            unit: "rpm",
            nodeId: "s=Machine.SpindleSpeed",
            namespace: "urn:tidegate:machine",
          },
          { id: "gone", name: "Gone", browsePath: "Tags/Nothing", namespace: "urn:tidegate:machine" },
        ],
      },
    });
    expect(res.status).toBe(200);
    const answer = await res.json();
    expect(answer).toMatchObject({ device: "press-9", profile: "local/press-9", line: sim.endpointUrl });
    expect(answer.cycles).toHaveLength(2);
    const points = answer.cycles[0].points as { id: string; value: string; unit?: string }[];
    expect(points.find((p) => p.id === "program")?.value).toBe("P-7");
    expect(Number(points.find((p) => p.id === "speed")?.value)).toBeGreaterThanOrEqual(0);
    expect(answer.cycles[0].failures).toEqual([
      { block: "gone", reason: expect.stringMatching(/^BadNoMatch.*Tags\/Nothing/), points: ["gone"] },
    ]);
  }, 60_000);

  it("refuses nodes without a namespace, in words", async () => {
    const res = await send("/api/v1/commission/preview", {
      device: {
        id: "press-9",
        profile: "local/press-9",
        transport: { type: "opcua", endpoint: sim.endpointUrl },
        nodes: [{ id: "program", name: "Program", browsePath: "Tags/Program" }],
      },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/device\.nodes\.0\.namespace: namespace: each node names/);
  });
});
