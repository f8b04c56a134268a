import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProfiles, type OpcuaProfile } from "@tidegate/profiles";
import { OPCUACertificateManager } from "node-opcua-certificate-manager";
import {
  AttributeIds,
  type ClientSession,
  MessageSecurityMode,
  OPCUAClient,
  SecurityPolicy,
} from "node-opcua-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toReading } from "../../agent/src/sources/opcua/readings.js";
import { asDataValueLike, type Binding, bindPoints } from "../../agent/src/sources/opcua/session.js";
import { type OpcuaSimulator, startOpcuaSimulator } from "./opcua.js";

// The simulator's address space read through the agent's binding and decoding (the contract), over
// a real loopback connection.

const profile = loadProfiles().get("generic/opcua-machine") as OpcuaProfile;
const dir = mkdtempSync(join(tmpdir(), "tidegate-sim-opcua-"));
let sim: OpcuaSimulator;
beforeAll(async () => {
  sim = await startOpcuaSimulator({ profile, pkiDir: dir, tickMs: 100, seed: 1 });
}, 60_000);
afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function withSession<T>(
  fn: (s: ClientSession) => Promise<T>,
  security: { securityMode: MessageSecurityMode; securityPolicy: SecurityPolicy } = {
    securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None,
  },
): Promise<T> {
  // The client's own certificate goes in the test's folder, not in the user's home; this client
  // trusts the simulator (the agent's trust flow is tested end to end).
  const clientCertificateManager = new OPCUACertificateManager({
    rootFolder: join(dir, "client-pki"),
    automaticallyAcceptUnknownCertificate: true,
  });
  const client = OPCUAClient.create({
    endpointMustExist: false,
    connectionStrategy: { maxRetry: 0 },
    clientCertificateManager,
    ...security,
  });
  await client.connect(sim.endpointUrl);
  try {
    const session = await client.createSession();
    try {
      return await fn(session);
    } finally {
      await session.close();
    }
  } finally {
    await client.disconnect();
    await clientCertificateManager.dispose();
  }
}

async function readAll(s: ClientSession) {
  const bindings = await bindPoints(s, profile);
  const bound = bindings.filter((b): b is Extract<Binding, { nodeId: unknown }> => "nodeId" in b);
  const dvs = await s.read(bound.map((b) => ({ nodeId: b.nodeId, attributeId: AttributeIds.Value })));
  return {
    bindings,
    readings: Object.fromEntries(
      bound.map((b, i) => [
        b.point.id,
        toReading("sim", b.point, asDataValueLike(dvs[i] as (typeof dvs)[number])),
      ]),
    ),
  };
}

describe("OPC UA simulator", () => {
  it("serves every point of the profile, by NodeId, browse path and array element", async () => {
    sim.set("program", "P-1");
    sim.set("cycle_time", 11_000);
    await new Promise((r) => setTimeout(r, 250)); // one tick serves the pinned values
    const { bindings, readings } = await withSession(readAll);
    expect(bindings.filter((b) => "error" in b)).toEqual([]);
    expect(Object.keys(readings).sort()).toEqual(profile.points.map((p) => p.id).sort());
    expect(readings.program).toMatchObject({ value: "P-1", quality: "good" });
    expect(readings.cycle_time).toMatchObject({ value: 11, quality: "good" });
    expect(readings.axis_y?.quality).toBe("good");
    expect(typeof readings.last_cycle_end?.value).toBe("number");
  });

  it("serves a fault status on one point, and moves the namespace index on a restart", async () => {
    sim.setStatus("running", "BadDeviceFailure");
    await new Promise((r) => setTimeout(r, 250));
    const before = await withSession(async (s) => (await s.readNamespaceArray()).indexOf(profile.namespace));
    const { readings } = await withSession(readAll);
    expect(readings.running).toMatchObject({ quality: "bad", value: null, reason: "BadDeviceFailure" });
    sim.setStatus("running", null);
    await sim.restart();
    const after = await withSession(async (s) => (await s.readNamespaceArray()).indexOf(profile.namespace));
    expect(after).toBe(before + 1);
    expect(sim.restarts()).toBe(1);
    const again = await withSession(readAll);
    expect(again.readings.motor_temperature?.quality).toBe("good");
  });

  it("serves Sign and SignAndEncrypt with each of the three policies", async () => {
    for (const securityMode of [MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt])
      for (const securityPolicy of [
        SecurityPolicy.Basic256Sha256,
        SecurityPolicy.Aes128_Sha256_RsaOaep,
        SecurityPolicy.Aes256_Sha256_RsaPss,
      ]) {
        const { readings, endpoint } = await withSession(
          async (s) => ({ ...(await readAll(s)), endpoint: s.endpoint }),
          { securityMode, securityPolicy },
        );
        const what = `${MessageSecurityMode[securityMode]} ${securityPolicy}`;
        expect({ mode: endpoint.securityMode, policy: endpoint.securityPolicyUri }, what).toEqual({
          mode: securityMode,
          policy: securityPolicy,
        });
        expect(readings.program?.quality, what).toBe("good");
      }
  });
});
