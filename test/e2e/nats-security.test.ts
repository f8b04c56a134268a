import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream } from "@nats-io/jetstream";
import { nkeys } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { encodeBatch, subjects } from "@tidegate/protocol";
import { describe, expect, it } from "vitest";
import { makeTestCertificates } from "../helpers/mosquitto.js";
import { deferredCleanup } from "./helpers/cleanup.js";
import { freePort } from "./helpers/ports.js";
import { startProcess } from "./helpers/process.js";
import { meterAgentConfig, startMeter } from "./helpers/system.js";
import { startAgent, startCollector } from "./helpers/tidegate.js";
import { getJson, waitFor } from "./helpers/wait.js";

// A collector on the internet and gateways on plant networks: nats-server requires TLS with
// client certificates, and each gateway may publish only to its own subjects (the sample in
// docker/nats-server.conf). One gateway logs in with a password, one with an nkey.

const defer = deferredCleanup();

/** What a gateway may do: publish its own telemetry and status, read the collectors' wire announcement. */
const gatewayPermissions = (gw: string) => `{
      publish: { allow: ["tidegate.telemetry.${gw}", "tidegate.status.${gw}", "$JS.API.STREAM.INFO.KV_tidegate", "$JS.API.DIRECT.GET.KV_tidegate.>", "$JS.API.STREAM.MSG.GET.KV_tidegate"] }
      subscribe: { allow: ["_INBOX.>"] }
    }`;

async function secureNats(dir: string, gwBNkey: string) {
  const certs = makeTestCertificates(dir);
  const port = await freePort();
  const conf = join(dir, "nats.conf");
  mkdirSync(join(dir, "js"));
  writeFileSync(
    conf,
    `listen: "127.0.0.1:${port}"
jetstream { store_dir: "${join(dir, "js")}" }
tls { cert_file: "${certs.serverCert}", key_file: "${certs.serverKey}", ca_file: "${certs.ca}", verify: true }
authorization {
  users = [
    { user: "collector", password: "collector-pw", permissions: { publish: ">", subscribe: ">" } }
    { user: "gw-a", password: "gw-a-pw", permissions: ${gatewayPermissions("gw-a")} }
    { nkey: "${gwBNkey}", permissions: ${gatewayPermissions("gw-b")} }
  ]
}
`,
  );
  const proc = startProcess("nats-server", ["-c", conf]);
  defer(() => proc.stop());
  await waitFor(
    () => `secure nats-server on ${port}\n${proc.output()}`,
    () => /Server is ready/.test(proc.output()),
  );
  return { url: `tls://127.0.0.1:${port}`, certs };
}

interface Gateways {
  gateways: { id: string; seq: { max: number; stored: number; missing: number } }[];
}

describe("NATS with TLS, credentials and per-gateway permissions", () => {
  it("gateways deliver with their own credentials; one cannot publish as another; a wrong password is refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tidegate-nats-sec-"));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const gwB = nkeys.createUser();
    const nats = await secureNats(dir, gwB.getPublicKey());
    const tls = { ca: nats.certs.ca, cert: nats.certs.clientCert, key: nats.certs.clientKey };
    writeFileSync(join(dir, "gw-b.nk"), new TextDecoder().decode(gwB.getSeed()));

    const collector = await startCollector(nats.url, {
      env: {
        TIDEGATE_NATS_USER: "collector",
        TIDEGATE_NATS_PASSWORD: "collector-pw",
        TIDEGATE_NATS_TLS_CA: tls.ca,
        TIDEGATE_NATS_TLS_CERT: tls.cert,
        TIDEGATE_NATS_TLS_KEY: tls.key,
      },
    });
    defer(() => collector.stop());
    const meter = await startMeter(5);
    defer(() => meter.close());
    const security = (auth: string) =>
      `  ${auth}\n  tls: { ca: ${tls.ca}, cert: ${tls.cert}, key: ${tls.key} }\n`;
    const withSecurity = (gateway: string, auth: string) =>
      meterAgentConfig({ gateway, natsUrl: nats.url, meterPort: meter.port }).replace(
        /^(nats: \{ servers: \[[^\]]*\]), heartbeatIntervalMs: 500 \}$/m,
        `nats:\n  servers: ${nats.url.replace(/.*/, (u) => `["${u}"]`)}\n  heartbeatIntervalMs: 500\n${security(auth)}`,
      );
    const a = await startAgent(withSecurity("gw-a", "user: gw-a\n  password: { env: GW_A_PASSWORD }"), {
      env: { GW_A_PASSWORD: "gw-a-pw" },
    });
    defer(() => a.stop());
    const b = await startAgent(withSecurity("gw-b", `nkeySeed: { file: ${join(dir, "gw-b.nk")} }`));
    defer(() => b.stop());

    const delivered = async (id: string) => {
      const g = (await getJson<Gateways>(`${collector.url}/api/v1/gateways`)).gateways.find(
        (x) => x.id === id,
      );
      return g && g.seq.stored >= 20 && g.seq.missing === 0 ? g : undefined;
    };
    await waitFor("gw-a (password) delivering through TLS", () => delivered("gw-a"), 20_000);
    await waitFor("gw-b (nkey) delivering through TLS", () => delivered("gw-b"), 20_000);

    // gw-a's credentials cannot publish gw-b's telemetry: the server refuses, nothing is stored.
    const impostor = await connect({
      servers: nats.url,
      user: "gw-a",
      pass: "gw-a-pw",
      tls: { caFile: tls.ca, certFile: tls.cert, keyFile: tls.key },
    });
    defer(() => impostor.close());
    const forged = encodeBatch("gw-b", [
      { seq: 900_000, ts: Date.now(), device: "meter-1", point: "voltage", value: 999, quality: "good" },
    ]);
    await expect(
      jetstream(impostor, { timeout: 2000 }).publish(subjects.telemetry("gw-b"), forged),
    ).rejects.toThrow(/permission|timeout/i);
    const storedB = (await getJson<Gateways>(`${collector.url}/api/v1/gateways`)).gateways.find(
      (x) => x.id === "gw-b",
    );
    expect(storedB?.seq.max).toBeLessThan(900_000);

    // A wrong password: the agent keeps its readings and says why it cannot connect.
    const wrong = await startAgent(withSecurity("gw-a", "user: gw-a\n  password: not-it"));
    defer(() => wrong.stop());
    const status = await waitFor("the refusal in the agent's status", async () => {
      const s = await getJson<{ uplink: { connected: boolean; lastError?: string } }>(
        `${wrong.url}/api/v1/status`,
      );
      return s.uplink.lastError && /authorization/i.test(s.uplink.lastError) ? s : undefined;
    });
    expect(status.uplink.connected).toBe(false);
  });
});
