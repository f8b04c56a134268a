import { readFileSync } from "node:fs";
import { loadProfiles, type MqttProfile } from "@tidegate/profiles";
import type { Reading } from "@tidegate/protocol";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MqttPublisher, startMqttPublisher } from "../../../../simulators/src/mqtt.js";
import { waitFor } from "../../../../test/e2e/helpers/wait.js";
import { type Mosquitto, startMosquitto } from "../../../../test/helpers/mosquitto.js";
import { type MqttConfigInput, mqttConfigSchema } from "./config.js";
import { createMqttSource } from "./source.js";

const log = pino({ level: "silent" });
const profiles = loadProfiles();
const plug = profiles.get("tasmota/energy-plug") as MqttProfile;

/**
 * The source against a real mosquitto: username/password, a broker restart on the same port, and TLS
 * with a private CA and a client certificate (require_certificate true).
 */
describe("MQTT source with an external mosquitto", { timeout: 60_000 }, () => {
  let broker: Mosquitto;
  let sim: MqttPublisher;
  const cleanup: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    broker = await startMosquitto({
      users: [
        { username: "gateway", password: "gw-secret" },
        { username: "plug", password: "plug-secret" },
      ],
      tls: { requireCertificate: true },
    });
    sim = await startMqttPublisher({
      url: broker.url,
      profile: plug,
      deviceId: "tasmota_A1B2C3",
      intervalMs: 150,
      seed: 3,
      username: "plug",
      password: "plug-secret",
    });
  }, 60_000);
  afterAll(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
    await sim?.close();
    await broker?.dispose();
  });

  function start(
    external: NonNullable<MqttConfigInput["broker"]["external"]>,
    devices?: MqttConfigInput["devices"],
    env: NodeJS.ProcessEnv = {},
  ) {
    const readings: Reading[] = [];
    const config = mqttConfigSchema.parse({
      broker: { external },
      devices: devices ?? [{ profile: "tasmota/energy-plug" }],
    });
    const source = createMqttSource({
      config,
      profiles,
      emit: (r) => readings.push(...r),
      log,
      env: { GW_PW: "gw-secret", ...env },
    });
    cleanup.push(() => source.stop());
    return { source, readings };
  }

  it("connects with username/password and reconnects after the broker restarts", async () => {
    if (!broker.authEnforced) console.warn("mosquitto_passwd missing: the broker does not check passwords");
    const { source, readings } = start({ url: broker.url, username: "gateway", password: { env: "GW_PW" } });
    await source.start();
    await waitFor("readings from the simulated plug", () => readings.some((r) => r.point === "power"));
    const r = readings.find((x) => x.point === "voltage") as Reading;
    expect(r.device).toBe("tasmota_A1B2C3");
    expect(typeof r.value).toBe("number");
    expect(source.devices()[0]?.health.status).toBe("ok");

    await broker.stop();
    await waitFor("health to say the broker is gone", () =>
      source
        .devices()
        .every((d) => d.health.status === "failing" && /unreachable/.test(d.health.lastError ?? "")),
    );
    expect(source.devices()[0]?.health.lastError).toContain(broker.url);

    await broker.start();
    const restartedAt = Date.now();
    await waitFor(
      () => `readings after the restart\n${broker.output()}`,
      () => readings.some((x) => x.ts > restartedAt && x.point === "power"),
      30_000,
    );
    await waitFor("health back to ok", () => source.devices()[0]?.health.lastError === undefined);
  });

  it("says why when the broker refuses its password", async () => {
    if (!broker.authEnforced) return;
    const { source } = start({ url: broker.url, username: "gateway", password: "wrong" }, [
      { profile: "tasmota/energy-plug", device: "plug-x" },
    ]);
    await source.start();
    await waitFor("the refusal in health", () =>
      /Not authorized/.test(source.devices()[0]?.health.lastError ?? ""),
    );
    expect(source.devices()[0]?.health.status).toBe("failing");
  });

  it("connects over TLS with the CA and a client certificate", async () => {
    const certs = broker.certs as NonNullable<Mosquitto["certs"]>;
    // The key as PEM text from the environment, the way a container gets it.
    const { source, readings } = start(
      {
        url: broker.tlsUrl as string,
        username: "gateway",
        password: "gw-secret",
        ca: certs.ca,
        cert: certs.clientCert,
        key: { env: "CLIENT_KEY" },
      },
      undefined,
      { CLIENT_KEY: readFileSync(certs.clientKey, "utf8") },
    );
    await source.start();
    await waitFor("readings over TLS", () => readings.some((r) => r.point === "current"));
  });

  it("refuses a broker whose certificate it cannot verify, and says so", async () => {
    const certs = broker.certs as NonNullable<Mosquitto["certs"]>;
    const { source, readings } = start(
      {
        url: broker.tlsUrl as string,
        username: "gateway",
        password: "gw-secret",
        cert: certs.clientCert,
        key: certs.clientKey,
      },
      [{ profile: "tasmota/energy-plug", device: "tls-plug", topicDevice: "tasmota_A1B2C3" }],
    );
    await source.start();
    await waitFor("a certificate error in health", () =>
      /certificate/i.test(source.devices()[0]?.health.lastError ?? ""),
    );
    expect(readings).toEqual([]);
  });

  it("is turned away without a client certificate (require_certificate is on)", async () => {
    const certs = broker.certs as NonNullable<Mosquitto["certs"]>;
    const { source, readings } = start(
      { url: broker.tlsUrl as string, username: "gateway", password: "gw-secret", ca: certs.ca },
      [{ profile: "tasmota/energy-plug", device: "no-cert-plug", topicDevice: "tasmota_A1B2C3" }],
    );
    await source.start();
    await waitFor("a refusal in health", () => source.devices()[0]?.health.status === "failing");
    expect(source.devices()[0]?.health.lastError).toMatch(/unreachable: TLS: .*certificate required/);
    expect(readings).toEqual([]);
  });
});
