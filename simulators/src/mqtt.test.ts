import { loadProfiles, type MqttProfile } from "@tidegate/profiles";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../test/e2e/helpers/wait.js";
import { type Mosquitto, startMosquitto } from "../../test/helpers/mosquitto.js";
import { type MqttPublisher, setPath, startMqttPublisher } from "./mqtt.js";

const profiles = loadProfiles();
const plug = profiles.get("tasmota/energy-plug") as MqttProfile;
const shelly = profiles.get("shelly/ht-gen1") as MqttProfile;

describe("setPath", () => {
  it("builds nested objects, and arrays where a segment is an index", () => {
    const doc: Record<string, unknown> = {};
    setPath(doc, "ENERGY.Power", 5);
    setPath(doc, "ENERGY.Voltage", 230);
    setPath(doc, "Channels.1.on", true);
    setPath(doc, "Channels.0.on", false);
    expect(doc).toEqual({ ENERGY: { Power: 5, Voltage: 230 }, Channels: [{ on: false }, { on: true }] });
  });
});

describe("simulated MQTT device", { timeout: 30_000 }, () => {
  let broker: Mosquitto;
  let listener: MqttClient;
  const got = new Map<string, string[]>();
  const open: MqttPublisher[] = [];

  beforeAll(async () => {
    broker = await startMosquitto();
    listener = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    listener.on("message", (topic, payload) =>
      got.set(topic, [...(got.get(topic) ?? []), payload.toString()]),
    );
    await listener.subscribeAsync("#");
  }, 30_000);
  afterAll(async () => {
    for (const p of open) await p.close();
    await listener?.endAsync(true);
    await broker?.dispose();
  });

  const last = (topic: string) => got.get(topic)?.at(-1);

  it("publishes a Tasmota plug's points as one JSON document per topic", async () => {
    const sim = await startMqttPublisher({
      url: broker.url,
      profile: plug,
      deviceId: "plug-9",
      intervalMs: 100,
      seed: 1,
    });
    open.push(sim);
    sim.set("power", 1234.5);
    await waitFor("SENSOR, STATE and LWT", () =>
      ["tele/plug-9/SENSOR", "tele/plug-9/STATE", "tele/plug-9/LWT"].every((t) => got.has(t)),
    );
    await waitFor(
      "the pinned power",
      () => JSON.parse(last("tele/plug-9/SENSOR") ?? "{}").ENERGY?.Power === 1234.5,
    );
    const sensor = JSON.parse(last("tele/plug-9/SENSOR") as string);
    for (const key of [
      "Power",
      "ApparentPower",
      "ReactivePower",
      "Factor",
      "Voltage",
      "Current",
      "Total",
      "Today",
    ])
      expect(typeof sensor.ENERGY[key], key).toBe("number");
    expect(sensor.ENERGY.Voltage).toBeGreaterThanOrEqual(225);
    expect(sensor.ENERGY.Voltage).toBeLessThanOrEqual(235);
    const state = JSON.parse(last("tele/plug-9/STATE") as string);
    expect(state.POWER).toBe(true);
    expect(typeof state.Wifi.RSSI).toBe("number");
    expect(last("tele/plug-9/LWT")).toBe("Online");
    expect(sim.skipped).toEqual([]);
    expect(sim.rounds()).toBeGreaterThan(0);
  });

  it("publishes a Shelly H&T's points as plain values, under a prefix", async () => {
    const sim = await startMqttPublisher({
      url: broker.url,
      profile: shelly,
      deviceId: "shellyht-C0FFEE",
      intervalMs: 100,
      topicPrefix: "plant/line-2/",
    });
    open.push(sim);
    await waitFor("the temperature", () =>
      got.has("plant/line-2/shellies/shellyht-C0FFEE/sensor/temperature"),
    );
    const t = Number(last("plant/line-2/shellies/shellyht-C0FFEE/sensor/temperature"));
    expect(t).toBeGreaterThanOrEqual(18.5);
    expect(t).toBeLessThanOrEqual(23.5);
    await waitFor("ext_power", () => got.has("plant/line-2/shellies/shellyht-C0FFEE/sensor/ext_power"));
    expect(last("plant/line-2/shellies/shellyht-C0FFEE/sensor/ext_power")).toBe("false");
  });

  it("sends raw bytes for malformed-payload tests, and refuses unknown points", async () => {
    const sim = await startMqttPublisher({
      url: broker.url,
      profile: shelly,
      deviceId: "ht-raw",
      intervalMs: 60_000,
    });
    open.push(sim);
    await sim.publishRaw("shellies/ht-raw/sensor/temperature", "not a number");
    await waitFor("the raw payload", () => last("shellies/ht-raw/sensor/temperature") === "not a number");
    expect(() => sim.set("nope", 1)).toThrow(/shelly\/ht-gen1 has no point 'nope'/);
  });

  it("skips points whose topic has a wildcard", async () => {
    const wild: MqttProfile = {
      ...shelly,
      points: [{ ...(shelly.points[0] as MqttProfile["points"][number]), id: "any", topic: "x/+/{device}" }],
    };
    const sim = await startMqttPublisher({
      url: broker.url,
      profile: wild,
      deviceId: "d",
      intervalMs: 60_000,
    });
    open.push(sim);
    expect(sim.skipped).toEqual(["any"]);
  });
});
