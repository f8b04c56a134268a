import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProfiles, type OpcuaProfile } from "@tidegate/profiles";
import { startOpcuaSimulator } from "@tidegate/simulators";
import { describe, expect, it } from "vitest";
import { makeUserCertificate } from "../helpers/user-certificate.js";
import { apiFetch } from "./helpers/auth.js";
import { deferredCleanup } from "./helpers/cleanup.js";
import { startOpcuaAgent } from "./helpers/opcua.js";
import { startProcess } from "./helpers/process.js";
import { agentCli } from "./helpers/tidegate.js";
import { getJson, waitFor } from "./helpers/wait.js";

// SignAndEncrypt with a user and password: the agent refuses the PLC's certificate until an admin
// trusts it by fingerprint with `tidegate-agent opcua trust`, then reads without a restart.

const defer = deferredCleanup();
const profile = loadProfiles().get("generic/opcua-machine") as OpcuaProfile;

async function cli(...args: string[]) {
  const proc = startProcess("node", [agentCli, ...args]);
  const code = await new Promise((resolve) => proc.child.once("exit", resolve));
  return { code, output: proc.output() };
}

describe("OPC UA security", () => {
  it("refuses an unknown server certificate until it is trusted, then reads with user and password", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tidegate-opcua-sec-"));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const sim = await startOpcuaSimulator({
      profile,
      pkiDir: join(dir, "sim"),
      tickMs: 200,
      users: [{ username: "line2", password: "pl4nt-s3cret" }],
    });
    defer(() => sim.close());
    sim.set("program", "P-42");
    writeFileSync(join(dir, "opcua-password"), "pl4nt-s3cret\n");
    const agent = await startOpcuaAgent(sim.endpointUrl, {
      gateway: "opcua-secure",
      device: { id: "press-2" },
      transport: {
        securityMode: "SignAndEncrypt",
        securityPolicy: "Aes256_Sha256_RsaPss",
        auth: { type: "username", username: "line2", password: { file: join(dir, "opcua-password") } },
        publishingIntervalMs: 200,
        samplingIntervalMs: 200,
      },
    });
    defer(() => agent.stop());
    const { buffered } = agent;

    const pending = await waitFor(
      () => `the server's certificate to be pending\n${agent.output()}`,
      async () => {
        const { output } = await cli("opcua", "certs", "--config", agent.configFile);
        return output.includes(`pending  ${sim.fingerprint}`) ? output : undefined;
      },
      30_000,
      500,
    );
    expect(pending).not.toContain("trusted ");
    const status = await getJson<{ devices: { id: string; status: string; lastError?: string }[] }>(
      `${agent.url}/api/v1/status`,
    );
    expect(status.devices[0]?.lastError).toMatch(/certificate/i);
    expect(buffered().filter((r) => r.quality === "good")).toEqual([]);

    const trusted = await cli("opcua", "trust", sim.fingerprint.slice(0, 12), "--config", agent.configFile);
    expect(trusted).toMatchObject({ code: 0 });
    expect(trusted.output).toContain(`trusted ${sim.fingerprint}`);
    const program = await waitFor(
      () => `readings over the encrypted channel\n${agent.output()}`,
      () => buffered().find((r) => r.point === "program" && r.quality === "good"),
      45_000,
    );
    expect(program.value).toBe("P-42");
    const after = await cli("opcua", "certs", "--config", agent.configFile);
    expect(after.output).toContain(`trusted  ${sim.fingerprint}`);
  });

  it("a wrong password is refused and said so, never read anonymously", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tidegate-opcua-pw-"));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const sim = await startOpcuaSimulator({
      profile,
      pkiDir: join(dir, "sim"),
      users: [{ username: "line2", password: "right" }],
    });
    defer(() => sim.close());
    const agent = await startOpcuaAgent(sim.endpointUrl, {
      gateway: "opcua-pw",
      device: { id: "press-3" },
      transport: { auth: { type: "username", username: "line2", password: "wrong" } },
    });
    defer(() => agent.stop());
    const device = await waitFor(
      () => `the refusal in the device's health\n${agent.output()}`,
      async () => {
        const s = await getJson<{ devices: { id: string; status: string; lastError?: string }[] }>(
          `${agent.url}/api/v1/status`,
        );
        return s.devices.find((d) => d.lastError);
      },
      30_000,
    );
    expect(device.lastError).toMatch(/BadUserAccessDenied|BadIdentityTokenRejected|BadIdentityTokenInvalid/);
    expect(agent.buffered().filter((r) => r.quality === "good")).toEqual([]);
  });

  it("signs in with a user certificate over Sign", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tidegate-opcua-x509-"));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const user = makeUserCertificate(dir, "line2-operator");
    const sim = await startOpcuaSimulator({
      profile,
      pkiDir: join(dir, "sim"),
      tickMs: 200,
      allowAnonymous: false,
    });
    defer(() => sim.close());
    sim.set("program", "P-X509");
    const agent = await startOpcuaAgent(sim.endpointUrl, {
      gateway: "opcua-x509",
      device: { id: "press-4" },
      transport: {
        securityMode: "Sign",
        securityPolicy: "Basic256Sha256",
        auth: { type: "certificate", cert: user.certFile, key: { file: user.keyFile } },
      },
    });
    defer(() => agent.stop());
    await waitFor(
      () => `the server's certificate to be pending\n${agent.output()}`,
      async () =>
        (await cli("opcua", "certs", "--config", agent.configFile)).output.includes(sim.fingerprint),
      30_000,
      500,
    );
    // This time through the API, as the dashboard's button will: pending, then trusted by an admin.
    const certs = await getJson<{ certificates: { fingerprint: string; status: string }[] }>(
      `${agent.url}/api/v1/opcua/certs`,
    );
    expect(certs.certificates).toContainEqual(
      expect.objectContaining({ fingerprint: sim.fingerprint, status: "pending" }),
    );
    const bad = await apiFetch(`${agent.url}/api/v1/opcua/trust`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ fingerprint: "00000000" }),
    });
    expect(bad.status).toBe(404);
    const trust = await apiFetch(`${agent.url}/api/v1/opcua/trust`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ fingerprint: sim.fingerprint }),
    });
    expect(await trust.json()).toEqual({ fingerprint: sim.fingerprint, status: "trusted" });
    const program = await waitFor(
      () => `readings as the certificate's user\n${agent.output()}`,
      () => agent.buffered().find((r) => r.point === "program" && r.quality === "good"),
      45_000,
    );
    expect(program.value).toBe("P-X509");
  });
});
