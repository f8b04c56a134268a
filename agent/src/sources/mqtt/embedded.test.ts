import { EventEmitter } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { type Socket, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProfiles, type MqttProfile } from "@tidegate/profiles";
import type { Reading } from "@tidegate/protocol";
import mqtt from "mqtt";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MqttPublisher, startMqttPublisher } from "../../../../simulators/src/mqtt.js";
import { waitFor } from "../../../../test/e2e/helpers/wait.js";
import { makeTestCertificates } from "../../../../test/helpers/mosquitto.js";
import { watchPacketSizes } from "./broker.js";
import { mqttConfigSchema } from "./config.js";
import { createMqttSource, type MqttSource } from "./source.js";

const log = pino({ level: "silent" });
const profiles = loadProfiles();
const shelly = profiles.get("shelly/ht-gen1") as MqttProfile;
const plug = profiles.get("tasmota/energy-plug") as MqttProfile;

describe("MQTT source with the embedded broker", { timeout: 30_000 }, () => {
  const readings: Reading[] = [];
  let source: MqttSource;
  let url: string;
  const open: { close(): Promise<unknown> }[] = [];

  beforeAll(async () => {
    const config = mqttConfigSchema.parse({
      broker: {
        embedded: {
          host: "127.0.0.1",
          port: 0,
          users: [
            { username: "ht-1", password: { env: "HT1_PW" }, publish: ["shellies/shellyht-AAA111/#"] },
            {
              username: "plug-1",
              password: "plug-pw",
              publish: ["tele/plug-1/#"],
              subscribe: ["cmnd/plug-1/#"],
            },
            { username: "tester", password: "tester-pw", publish: ["#"] },
          ],
        },
      },
      devices: [{ profile: "shelly/ht-gen1" }, { profile: "tasmota/energy-plug" }],
    });
    source = createMqttSource({
      config,
      profiles,
      emit: (r) => readings.push(...r),
      log,
      env: { HT1_PW: "ht-pw" },
    });
    await source.start();
    url = `mqtt://127.0.0.1:${source.broker()?.port}`;
  });
  afterAll(async () => {
    for (const c of open.splice(0)) await c.close().catch(() => {});
    await source?.stop();
  });

  const of = (device: string, point?: string) =>
    readings.filter((r) => r.device === device && (point === undefined || r.point === point));

  it("turns a device user's publishes into readings, device discovered from the topic", async () => {
    const before = Date.now();
    const sim: MqttPublisher = await startMqttPublisher({
      url,
      profile: shelly,
      deviceId: "shellyht-AAA111",
      intervalMs: 100,
      seed: 7,
      username: "ht-1",
      password: "ht-pw",
    });
    open.push(sim);
    sim.set("temperature", 21.25);
    await waitFor("shelly readings", () =>
      of("shellyht-AAA111", "temperature").some((r) => r.value === 21.25),
    );
    await waitFor("every shelly point", () =>
      shelly.points.every((p) => of("shellyht-AAA111", p.id).length > 0),
    );
    const t = of("shellyht-AAA111", "temperature").at(-1) as Reading;
    expect(t.quality).toBe("good");
    expect(t.ts).toBeGreaterThanOrEqual(before);
    expect(t.ts).toBeLessThanOrEqual(Date.now());
    expect(of("shellyht-AAA111", "ext_power")[0]?.value).toBe(false);
    const dev = source.devices().find((d) => d.id === "shellyht-AAA111");
    expect(dev?.profile.id).toBe("shelly/ht-gen1");
    expect(dev?.health.status).toBe("ok");
    expect(dev?.health.lastPollTs).toBeGreaterThanOrEqual(before);
  });

  it("refuses a wrong password and anonymous clients", async () => {
    const refusedBefore = source.stats().refused.auth;
    const opts = { reconnectPeriod: 0, connectTimeout: 5000 };
    await expect(mqtt.connectAsync(url, { ...opts, username: "ht-1", password: "wrong" })).rejects.toThrow(
      /Bad username or password/,
    );
    await expect(mqtt.connectAsync(url, { ...opts, username: "nobody", password: "x" })).rejects.toThrow(
      /Bad username or password/,
    );
    await expect(mqtt.connectAsync(url, opts)).rejects.toThrow(/Not authorized/);
    expect(source.stats().refused.auth).toBe(refusedBefore + 3);
  });

  it("refuses a publish outside the user's ACL: no reading, connection closed", async () => {
    const client = await mqtt.connectAsync(url, { username: "ht-1", password: "ht-pw", reconnectPeriod: 0 });
    open.push({ close: () => client.endAsync(true) });
    client.on("error", () => {});
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    client.publish("shellies/shellyht-BBB222/sensor/temperature", "30");
    await closed;
    await waitFor("the refusal counted", () => source.stats().refused.publish >= 1);
    expect(of("shellyht-BBB222")).toEqual([]);
    expect(source.devices().map((d) => d.id)).not.toContain("shellyht-BBB222");
  });

  it("refuses a subscription outside the ACL but keeps the device connected", async () => {
    const client = await mqtt.connectAsync(url, {
      username: "plug-1",
      password: "plug-pw",
      reconnectPeriod: 0,
    });
    open.push({ close: () => client.endAsync(true) });
    // mqtt.js rejects when any grant is a failure; the SUBACK it carries says which.
    const err = await client.subscribeAsync(["cmnd/plug-1/POWER", "cmnd/plug-2/POWER"]).catch((e) => e);
    expect((err as { packet?: { granted: number[] } }).packet?.granted).toEqual([0, 128]);
    expect(source.stats().refused.subscribe).toBe(1);
    await client.publishAsync("tele/plug-1/LWT", "Online");
    await waitFor("the plug's LWT", () => of("plug-1", "lwt").length > 0);
    expect(of("plug-1", "lwt")[0]?.value).toBe("Online");
  });

  it("counts malformed payloads by reason and stores no value for them", async () => {
    const sim = await startMqttPublisher({
      url,
      profile: plug,
      deviceId: "plug-1",
      intervalMs: 3_600_000,
      username: "plug-1",
      password: "plug-pw",
    });
    open.push(sim);
    const start = source.stats();
    const readingsBefore = of("plug-1").length;
    await sim.publishRaw("tele/plug-1/SENSOR", "{not json");
    await sim.publishRaw("tele/plug-1/SENSOR", '{"ENERGY":{"Power":"abc"}}');
    await sim.publishRaw("tele/plug-1/SENSOR", "");
    await sim.publishRaw("tele/plug-1/SENSOR", Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    await sim.publishRaw("tele/plug-1/SENSOR", `{"pad":"${"x".repeat(70 * 1024)}"}`);
    await sim.publishRaw("tele/plug-1/STATE", '{"POWER":"MAYBE","Wifi":{"RSSI":"strong"}}');
    // Then a good message: messages of one connection arrive in order, so when it is in, all are.
    await sim.publishRaw("tele/plug-1/STATE", '{"POWER":"ON","Wifi":{"RSSI":61}}');
    await waitFor("the good STATE", () => of("plug-1", "relay").length > 0);

    const d = source.stats().dropped;
    const delta = (k: string) => (d[k] ?? 0) - (start.dropped[k] ?? 0);
    expect(delta("not-json")).toBe(1);
    expect(delta("not-a-number")).toBe(2); // Power "abc", RSSI "strong"
    expect(delta("no-such-path")).toBe(8); // the other ENERGY fields of the second message
    expect(delta("empty")).toBe(1);
    expect(delta("not-utf8")).toBe(1);
    expect(delta("too-large")).toBe(1);
    expect(delta("not-a-bool")).toBe(1);
    const mine = of("plug-1").slice(readingsBefore);
    expect(mine.map((r) => [r.point, r.value]).sort()).toEqual([
      ["relay", true],
      ["wifi_rssi", 61],
    ]);
    expect(readings.every((r) => r.value !== null && r.quality === "good" && !Number.isNaN(r.value))).toBe(
      true,
    );
    const health = source.devices().find((x) => x.id === "plug-1")?.health;
    expect(health?.status).toBe("degraded");
  });

  it("drops topic levels that are no device id, and survives garbage on the socket", async () => {
    const client = await mqtt.connectAsync(url, {
      username: "tester",
      password: "tester-pw",
      reconnectPeriod: 0,
    });
    open.push({ close: () => client.endAsync(true) });
    const before = source.stats().dropped["bad-device-id"] ?? 0;
    await client.publishAsync("shellies/bad.id/sensor/temperature", "20");
    await waitFor("bad-device-id counted", () => (source.stats().dropped["bad-device-id"] ?? 0) > before);
    // Not MQTT at all: the broker drops the connection and carries on.
    await new Promise<void>((resolve) => {
      const s = tcpConnect({ host: "127.0.0.1", port: source.broker()?.port as number }, () => {
        s.end(Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x42]));
      });
      s.on("error", () => resolve());
      s.on("close", () => resolve());
    });
    // The garbage above declared an impossible length: refused before aedes buffered anything.
    expect(source.stats().refused.oversize).toBe(1);
    // A packet declaring more than the broker takes: cut off before its body is buffered.
    const big = await mqtt.connectAsync(url, {
      username: "tester",
      password: "tester-pw",
      reconnectPeriod: 0,
    });
    big.on("error", () => {});
    const bigClosed = new Promise<void>((resolve) => big.once("close", () => resolve()));
    big.publish("tele/plug-1/SENSOR", Buffer.alloc(1024 * 1024, 0x20));
    await bigClosed;
    await big.endAsync(true);
    expect(source.stats().refused.oversize).toBe(2);
    const count = of("shellyht-AAA111").length;
    await waitFor("readings after the garbage", () => of("shellyht-AAA111").length > count);
  });
});

describe("watchPacketSizes", () => {
  function feed(chunks: number[][], max: number) {
    const socket = new EventEmitter();
    const seen: number[] = [];
    watchPacketSizes(socket as Socket, max, (n) => seen.push(n));
    for (const c of chunks) socket.emit("data", Buffer.from(c));
    return seen;
  }
  const body = (n: number) => new Array<number>(n).fill(0x41);

  it("follows packets split anywhere, and lets sizes up to the limit through", () => {
    // 0x30 PUBLISH, length 150 = 0x96 0x01 (two length bytes), split inside the length and the body.
    expect(
      feed(
        [
          [0x30, 0x96],
          [0x01, ...body(100)],
          [...body(50), 0xc0, 0x00, 0x30],
          [0x05, ...body(5)],
        ],
        150,
      ),
    ).toEqual([]);
  });
  it("calls out a declared size over the limit before the body arrives", () => {
    expect(feed([[0xc0, 0x00, 0x30, 0x97], [0x01]], 150)).toEqual([151]);
  });
  it("calls out a length field longer than MQTT's four bytes", () => {
    expect(feed([[0x10, 0xff, 0xff, 0xff, 0xff, 0x7f]], 1 << 30)).toEqual([Number.POSITIVE_INFINITY]);
  });
});

describe("embedded broker with anonymous devices and a device cap", { timeout: 30_000 }, () => {
  it("lets anonymous clients in when allowed, and caps discovered devices", async () => {
    const readings: Reading[] = [];
    const config = mqttConfigSchema.parse({
      broker: { embedded: { host: "127.0.0.1", port: 0, allowAnonymous: true } },
      devices: [{ profile: "shelly/ht-gen1", topicPrefix: "plant/line-2" }],
      maxDevices: 2,
    });
    const source = createMqttSource({ config, profiles, emit: (r) => readings.push(...r), log });
    await source.start();
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${source.broker()?.port}`, {
      reconnectPeriod: 0,
    });
    try {
      for (const id of ["ht-a", "ht-b", "ht-c"])
        await client.publishAsync(`plant/line-2/shellies/${id}/sensor/humidity`, "40");
      await client.publishAsync("shellies/ht-d/sensor/humidity", "40"); // outside the prefix: not ours
      await waitFor("the cap to bite", () => (source.stats().dropped["too-many-devices"] ?? 0) === 1);
      expect(source.devices().map((d) => d.id)).toEqual(["ht-a", "ht-b"]);
      expect(readings.map((r) => r.device)).toEqual(["ht-a", "ht-b"]);
    } finally {
      await client.endAsync(true);
      await source.stop();
    }
  });

  it("says which profile is unknown", () => {
    const config = mqttConfigSchema.parse({
      broker: { embedded: { allowAnonymous: true } },
      devices: [{ profile: "shelly/ht-gen1" }, { profile: "eastron/sdm120" }],
    });
    expect(() => createMqttSource({ config, profiles, emit: () => {}, log })).toThrow(
      /^mqtt\.devices\.1\.profile: no MQTT profile 'eastron\/sdm120' \(it is a modbus profile\); MQTT profiles: .*shelly\/ht-gen1/,
    );
  });
});

/** One connection attempt: resolves on CONNACK, rejects on an error or when the socket closes first. */
function connectOnce(url: string, options: mqtt.IClientOptions): Promise<void> {
  const client = mqtt.connect(url, { ...options, reconnectPeriod: 0 });
  return new Promise<void>((resolve, reject) => {
    client.once("connect", () => resolve());
    client.once("error", reject);
    client.once("close", () => reject(new Error("closed before CONNACK")));
  }).finally(() => client.end(true));
}

describe("embedded broker over TLS", { timeout: 30_000 }, () => {
  it("serves mqtts with its certificate, requires device certificates when asked, and refuses the rest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tidegate-broker-tls-"));
    const certs = makeTestCertificates(dir);
    const readings: Reading[] = [];
    const config = mqttConfigSchema.parse({
      broker: {
        embedded: {
          host: "127.0.0.1",
          port: 0,
          users: [{ username: "ht-1", password: "ht-pw", publish: ["shellies/#"] }],
          tls: {
            cert: certs.serverCert,
            key: { file: certs.serverKey },
            ca: certs.ca,
            requireClientCert: true,
          },
        },
      },
      devices: [{ profile: "shelly/ht-gen1" }],
    });
    const source = createMqttSource({ config, profiles, emit: (r) => readings.push(...r), log });
    await source.start();
    const url = `mqtts://127.0.0.1:${source.broker()?.port}`;
    const device = { username: "ht-1", password: "ht-pw", reconnectPeriod: 0, connectTimeout: 5000 };
    try {
      const client = await mqtt.connectAsync(url, {
        ...device,
        ca: readFileSync(certs.ca),
        cert: readFileSync(certs.clientCert),
        key: readFileSync(certs.clientKey),
      });
      await client.publishAsync("shellies/ht-tls/sensor/temperature", "21.5");
      await waitFor("a reading over TLS", () =>
        readings.some((r) => r.device === "ht-tls" && r.value === 21.5),
      );
      await client.endAsync(true);

      // Without a client certificate the handshake fails; plain MQTT gets nowhere either.
      await expect(connectOnce(url, { ...device, ca: readFileSync(certs.ca) })).rejects.toThrow();
      await expect(connectOnce(url.replace("mqtts", "mqtt"), device)).rejects.toThrow();
      await waitFor("the refusals counted", () => source.stats().refused.auth >= 1);
    } finally {
      await source.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("requireClientCert without a CA is a config error naming the path", () => {
    const parsed = mqttConfigSchema.safeParse({
      broker: {
        embedded: {
          users: [],
          allowAnonymous: true,
          tls: { cert: "c.pem", key: "k.pem", requireClientCert: true },
        },
      },
      devices: [{ profile: "shelly/ht-gen1" }],
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(["broker", "embedded", "tls", "ca"]);
  });
});
