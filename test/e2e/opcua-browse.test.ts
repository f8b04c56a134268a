import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OpcuaBrowsedNode, OpcuaServerCertificate } from "@tidegate/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiFetch } from "./helpers/auth.js";
import { startOpcuaSimCli } from "./helpers/opcua-sim-cli.js";
import { freePort } from "./helpers/ports.js";
import { type StartedAgent, startAgent } from "./helpers/tidegate.js";

// The commissioning browse API of the built agent against `tidegate-sim opcua` (a node-opcua
// server in its own process) that no config names: one level per request, the unknown
// certificate shown and trusted, then a preview of the picked nodes.

const cleanups: (() => unknown)[] = [];
const defer = (fn: () => unknown) => void cleanups.push(fn);
let agent: StartedAgent;
let sim: Awaited<ReturnType<typeof startOpcuaSimCli>>;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "tidegate-opcua-browse-"));
  defer(() => rmSync(dir, { recursive: true, force: true }));
  sim = await startOpcuaSimCli(dir, { users: ["line2:s3cret"] });
  defer(() => sim.proc.stop());
  agent = await startAgent(`version: 1
gateway: e2e-opcua-browse
http: { host: 127.0.0.1 }
nats: { servers: ["nats://127.0.0.1:${await freePort()}"] }
buffer: { path: buffer.db }
`);
  defer(() => agent.stop());
}, 90_000);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

type Answer = { nodes: OpcuaBrowsedNode[]; error?: string; certificate?: OpcuaServerCertificate };
async function post(path: string, body: object): Promise<{ status: number; body: Answer }> {
  const res = await apiFetch(`${agent.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Answer };
}
const browse = (body: object) => post("/api/v1/commission/opcua/browse", body);
const named = (a: Answer, name: string) => a.nodes.find((n) => n.browseName === name);

describe("POST /api/v1/commission/opcua/browse against tidegate-sim opcua", () => {
  const auth = { type: "username", username: "line2", password: "s3cret" };

  it("walks Objects → Machine → Motor one level at a time, down to a variable's type, access, value and status", async () => {
    const top = await browse({ endpoint: sim.endpointUrl, auth });
    expect(top.status).toBe(200);
    const machine = named(top.body, "Machine");
    expect(machine).toMatchObject({ nodeClass: "Object", browseNamespaceUri: "urn:tidegate:machine" });
    // Only the level asked for: the motor's variables are not in the first answer.
    expect(named(top.body, "Temperature")).toBeUndefined();
    const motor = named(
      (await browse({ endpoint: sim.endpointUrl, auth, node: machine?.nodeId })).body,
      "Motor",
    );
    const vars = await browse({ endpoint: sim.endpointUrl, auth, node: motor?.nodeId });
    const temperature = named(vars.body, "Temperature");
    expect(temperature).toMatchObject({
      nodeClass: "Variable",
      dataType: "Double",
      accessLevel: { read: true },
      statusCode: "Good",
      namespaceUri: "urn:tidegate:machine",
    });
    expect(typeof temperature?.value).toBe("number");
  }, 60_000);

  it("refuses a wrong password in words", async () => {
    const refused = await browse({ endpoint: sim.endpointUrl, auth: { ...auth, password: "wrong" } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(
      /the server refused the session: .*Bad(UserAccessDenied|IdentityToken)/,
    );
  }, 60_000);

  it("shows the unknown certificate over SignAndEncrypt, and browses once an admin trusted it", async () => {
    const secure = {
      endpoint: sim.endpointUrl,
      auth,
      securityMode: "SignAndEncrypt",
      securityPolicy: "Aes256_Sha256_RsaPss",
    };
    const refused = await browse(secure);
    expect(refused.status).toBe(409);
    expect(refused.body.certificate).toMatchObject({ fingerprint: sim.fingerprint });
    expect(refused.body.error).toContain(sim.fingerprint);
    const trust = await post("/api/v1/opcua/trust", { fingerprint: sim.fingerprint });
    expect(trust.body).toEqual({ fingerprint: sim.fingerprint, status: "trusted" });
    const after = await browse(secure);
    expect(after.status).toBe(200);
    expect(named(after.body, "Machine")).toBeDefined();

    const preview = await post("/api/v1/commission/preview", {
      cycles: 1,
      device: {
        id: "press-5",
        profile: "local/press-5",
        transport: { type: "opcua", ...secure },
        nodes: [
          {
            id: "temperature",
            name: "Motor temperature",
            browsePath: "Machine/Motor/Temperature",
            namespace: "urn:tidegate:machine",
          },
        ],
      },
    });
    expect(preview.status).toBe(200);
    const point = (preview.body as unknown as { cycles: { points: { id: string; value: string }[] }[] })
      .cycles[0]?.points[0];
    expect(point?.id).toBe("temperature");
    expect(Number(point?.value)).toBeGreaterThan(0);
  }, 60_000);
});
