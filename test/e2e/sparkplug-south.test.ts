import { loadProfiles, type Profile } from "@tidegate/profiles";
import type { Reading } from "@tidegate/protocol";
import { startSparkplugEdgeNode } from "@tidegate/simulators";
import { connectAsync, type MqttClient } from "mqtt";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { sparkplugSourceSchema } from "../../agent/src/sources/sparkplug/config.js";
import { createSparkplugSource } from "../../agent/src/sources/sparkplug/source.js";
import { startMosquitto } from "../helpers/mosquitto.js";
import { deferredCleanup } from "./helpers/cleanup.js";
import { decodeIndependently, encodeIndependently } from "./helpers/sparkplug.js";
import { waitFor } from "./helpers/wait.js";

const defer = deferredCleanup();
const log = pino({ level: "silent" });
const DOUBLE = 10;
const UINT64 = 8;
const BOOLEAN = 11;

/**
 * An edge node played by the test with protobufjs (not the agent's codec): it answers NCMD rebirth
 * requests with its births, as a Sparkplug edge node must, and counts them.
 */
async function startTestEdgeNode(url: string, o: { bdSeq: number; answerRebirth?: boolean }) {
  const base = "spBv1.0/plant";
  const death = encodeIndependently({ metrics: [{ name: "bdSeq", datatype: UINT64, longValue: o.bdSeq }] });
  const client: MqttClient = await connectAsync(url, {
    clientId: "press-4",
    reconnectPeriod: 0,
    will: { topic: `${base}/NDEATH/press-4`, payload: death, qos: 1, retain: false },
  });
  let seq = 0;
  let temperature = 20;
  const rebirthsAsked: string[] = [];
  const publish = (type: string, metrics: Record<string, unknown>[], device?: string, nextSeq = true) => {
    if (nextSeq) seq = (seq + 1) % 256;
    const topic = `${base}/${type}/press-4${device ? `/${device}` : ""}`;
    return client.publishAsync(topic, encodeIndependently({ timestamp: Date.now(), seq, metrics }));
  };
  const births = async () => {
    seq = 0;
    await publish(
      "NBIRTH",
      [
        { name: "bdSeq", datatype: UINT64, longValue: o.bdSeq },
        { name: "Node Control/Rebirth", datatype: BOOLEAN, booleanValue: false },
      ],
      undefined,
      false,
    );
    await publish(
      "DBIRTH",
      [
        {
          name: "Oven/Temperature",
          alias: 1,
          datatype: DOUBLE,
          doubleValue: temperature,
          properties: { keys: ["engUnit"], values: [{ type: 12, stringValue: "°C" }] },
        },
        { name: "Oven/Heating", alias: 2, datatype: BOOLEAN, booleanValue: true },
      ],
      "oven",
    );
  };
  client.on("message", (_topic, payload) => {
    const asked = decodeIndependently(_topic, payload).metrics.some(
      (m) => m.name === "Node Control/Rebirth" && m.value === true,
    );
    if (!asked) return;
    rebirthsAsked.push(_topic);
    if (o.answerRebirth !== false) void births();
  });
  await client.subscribeAsync(`${base}/NCMD/press-4`, { qos: 1 });
  return {
    client,
    births,
    rebirthsAsked,
    data(value: number, skipSeq = false) {
      // A skipped seq plays a lost message: the value it carries is not the node's current one.
      if (skipSeq) seq = (seq + 1) % 256;
      else temperature = value;
      return publish("DDATA", [{ alias: 1, timestamp: Date.now(), doubleValue: value }], "oven");
    },
    raw: (payload: Buffer) => client.publishAsync(`${base}/DDATA/press-4/oven`, payload),
    deviceDeath: () => publish("DDEATH", [], "oven"),
  };
}

describe("Sparkplug B south: edge nodes read through their births", () => {
  async function rig() {
    const broker = await startMosquitto();
    defer(() => broker.dispose());
    const readings: Reading[] = [];
    const source = createSparkplugSource({
      config: sparkplugSourceSchema.parse({
        groupId: "plant",
        broker: { url: broker.url },
        rebirthMinIntervalMs: 60_000, // each request below is answered by a birth, which lifts the limit
      }),
      where: "sparkplugSources.0",
      emit: (r) => readings.push(...r),
      log,
    });
    await source.start();
    defer(() => source.stop());
    const oven = () => source.devices().find((d) => d.id === "press-4-oven");
    return { broker, source, readings, oven };
  }
  const temperatures = (readings: Reading[]) =>
    readings.filter((r) => r.point === "Oven_Temperature").map((r) => r.value);

  it("maps DDATA by the DBIRTH's aliases, with units from its properties", async () => {
    const { broker, readings, oven } = await rig();
    const node = await startTestEdgeNode(broker.url, { bdSeq: 0 });
    defer(() => node.client.endAsync(true));
    await node.births();
    await node.data(21.5);
    await waitFor("the DDATA reading", () => temperatures(readings).includes(21.5));
    expect(temperatures(readings)).toEqual([20, 21.5]);
    expect(readings.find((r) => r.point === "Oven_Heating")).toMatchObject({
      device: "press-4-oven",
      value: true,
    });
    expect(oven()?.health.status).toBe("ok");
    expect(oven()?.profile.points.find((p) => p.id === "Oven_Temperature")).toMatchObject({
      name: "Oven/Temperature",
      unit: "°C",
    });
  });

  it("asks for a rebirth on data before the birth and on a seq gap, and counts malformed payloads", async () => {
    const { broker, source, readings } = await rig();
    const node = await startTestEdgeNode(broker.url, { bdSeq: 3 });
    defer(() => node.client.endAsync(true));
    // The host started after the node was born: its first DDATA is data before a birth.
    await node.data(30);
    await waitFor("a rebirth request and the births", () => temperatures(readings).includes(30));
    expect(node.rebirthsAsked).toHaveLength(1);
    await node.data(31);
    await waitFor("data after the rebirth", () => temperatures(readings).includes(31));

    await node.data(99, true); // one message lost: seq gap
    await waitFor("a second rebirth request", () => node.rebirthsAsked.length === 2);
    await node.data(32);
    await waitFor("data after the second rebirth", () => temperatures(readings).includes(32));
    expect(temperatures(readings)).not.toContain(99);

    await node.raw(Buffer.from("not protobuf"));
    await waitFor("the drop counted", () => source.dropped()["not-protobuf"] === 1);
    expect(source.dropped()).toMatchObject({ "before-birth": 1, "seq-gap": 1 });
  });

  it("marks the device failing on DDEATH and on the node's will", async () => {
    const { broker, oven } = await rig();
    const node = await startTestEdgeNode(broker.url, { bdSeq: 1 });
    await node.births();
    await waitFor("the device born", () => oven()?.health.status === "ok");
    await node.deviceDeath();
    await waitFor("DDEATH", () => oven()?.health.lastError === "DDEATH");
    await node.births();
    await waitFor("born again", () => oven()?.health.status === "ok");
    // The connection drops without a DISCONNECT: the broker sends the will (NDEATH, bdSeq 1).
    node.client.stream.destroy();
    await waitFor("NDEATH", () => oven()?.health.lastError === "NDEATH");
    expect(oven()?.health.status).toBe("failing");
    await node.client.endAsync(true);
  });

  it("reads tidegate-sim's edge node, and takes its reconnect with a new bdSeq as a new session", async () => {
    const { broker, source, readings } = await rig();
    const climate = loadProfiles().get("sonbest/xy-md02") as Profile;
    const sim = await startSparkplugEdgeNode({
      url: broker.url,
      group: "plant",
      edgeNode: "press-7",
      devices: [{ id: "climate", profile: climate }],
      intervalMs: 100,
      seed: 5,
    });
    defer(() => sim.close());
    const device = () => source.devices().find((d) => d.id === "press-7-climate");
    // The source subscribed before the node was born, or asks for a rebirth when it was not.
    await waitFor("DDATA of every point", () =>
      climate.points.every((p) => readings.some((r) => r.device === "press-7-climate" && r.point === p.id)),
    );
    expect(device()?.health.status).toBe("ok");
    expect(
      device()
        ?.profile.points.map((p) => p.id)
        .sort(),
    ).toEqual(climate.points.map((p) => p.id).sort());

    sim.drop(); // no DISCONNECT: the broker sends the will, then the node reconnects with bdSeq 1
    await waitFor("the NDEATH", () => device()?.health.lastError === "NDEATH");
    await waitFor("born again", () => device()?.health.status === "ok");
    expect(sim.bdSeq()).toBe(1);
    const count = readings.length;
    await waitFor("data after the reconnect", () => readings.length > count + climate.points.length);
    expect(source.dropped()["seq-gap"] ?? 0).toBe(0);
  });
});
