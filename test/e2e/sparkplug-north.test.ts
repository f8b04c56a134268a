import { type AnyProfile, loadProfiles } from "@tidegate/profiles";
import type { Reading } from "@tidegate/protocol";
import { connectAsync } from "mqtt";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { sparkplugNorthSchema } from "../../agent/src/sparkplug/north/config.js";
import { type NorthDevice, startSparkplugNorth } from "../../agent/src/sparkplug/north/edge-node.js";
import { startMosquitto } from "../helpers/mosquitto.js";
import { deferredCleanup } from "./helpers/cleanup.js";
import {
  encodeIndependently,
  type SeenMessage,
  type SparkplugHost,
  startSparkplugHost,
} from "./helpers/sparkplug.js";
import { waitFor } from "./helpers/wait.js";

const defer = deferredCleanup();
const log = pino({ level: "silent" });
const meterProfile = loadProfiles().get("eastron/sdm120") as AnyProfile;
const voltage = meterProfile.points.find((p) => p.id === "voltage");

/** The Sparkplug rules a host checks on one edge node's messages, from one NBIRTH on. */
function checkSession(messages: SeenMessage[]) {
  const [nbirth, ...rest] = messages;
  expect(nbirth?.type).toBe("NBIRTH");
  expect(nbirth?.seq).toBe(0);
  let seq = 0;
  const aliases = new Map<number, string>();
  for (const m of rest) {
    if (m.type === "NDEATH") break;
    if (m.type === "NCMD") continue;
    seq = (seq + 1) % 256;
    expect(m.seq, `${m.topic} seq`).toBe(seq);
    if (m.type === "DBIRTH")
      for (const metric of m.metrics) {
        expect(metric.name).toBeDefined();
        expect(metric.datatype).toBeDefined();
        aliases.set(metric.alias as number, `${m.device}/${metric.name}`);
      }
    if (m.type === "DDATA")
      for (const metric of m.metrics) {
        expect(metric.name).toBeUndefined();
        expect(aliases.has(metric.alias as number), `alias ${metric.alias} born before ${m.topic}`).toBe(
          true,
        );
      }
  }
  return aliases;
}

const bdSeqOf = (m: SeenMessage | undefined) => Number(m?.metrics.find((x) => x.name === "bdSeq")?.value);

describe("Sparkplug B north: the agent as an edge node on mosquitto", () => {
  async function rig() {
    // Persistent sessions: the host gets the rebirth after a broker restart even if the edge node is back first.
    const broker = await startMosquitto({ persistent: true });
    defer(() => broker.dispose());
    const host = await startSparkplugHost(broker.url, "plant", { clientId: "test-host" });
    defer(() => host.close());
    const devices: NorthDevice[] = [{ id: "meter-1", profile: meterProfile, health: { status: "ok" } }];
    const config = sparkplugNorthSchema.parse({
      groupId: "plant",
      edgeNodeId: "gw-1",
      broker: { url: broker.url, clientId: "tidegate-gw-1" },
    });
    const north = await startSparkplugNorth({
      config,
      gateway: "gw-1",
      devices: () => devices,
      log,
      healthEveryMs: 100,
      backoff: { initialMs: 200, maxMs: 800 },
    });
    defer(() => north.stop());
    let ts = 1_000_000;
    const read = (value: number | null, quality: Reading["quality"] = "good") => {
      ts += 1000;
      north.onReadings([{ ts, device: "meter-1", point: "voltage", value, quality }]);
      return ts;
    };
    return { broker, host, north, devices, read };
  }
  const waitType = (host: SparkplugHost, from: number, type: string, count = 1) =>
    waitFor(
      `${count} ${type} after message ${from}: ${JSON.stringify(host.since(from).map((m) => m.topic))}`,
      () => (host.since(from).filter((m) => m.type === type).length >= count ? host.since(from) : undefined),
    );

  it("births with every metric, reports by exception by alias, and rebirths on NCMD", async () => {
    const { broker, host, read } = await rig();
    read(230.5);
    await waitType(host, 0, "DBIRTH");
    const dbirth = host.messages.find((m) => m.type === "DBIRTH");
    const born = dbirth?.metrics.find((m) => m.name === "voltage");
    // SDM120 voltage is a float32 register: a Float metric (9), not a Double.
    expect(born).toMatchObject({ datatype: 9, value: 230.5, properties: { engUnit: voltage?.unit } });
    expect(dbirth?.metrics.map((m) => m.name).sort()).toEqual(meterProfile.points.map((p) => p.id).sort());
    expect(bdSeqOf(host.messages[0])).toBe(0);

    read(230.5); // unchanged: nothing sent
    const changed = read(231);
    await waitType(host, 0, "DDATA");
    const ddata = host.messages.filter((m) => m.type === "DDATA");
    expect(ddata).toHaveLength(1);
    expect(ddata[0]?.metrics).toEqual([{ alias: born?.alias, timestamp: changed, value: 231 }]);

    const before = host.messages.length;
    const cmd = await connectAsync(broker.url, { reconnectPeriod: 0 });
    defer(() => cmd.endAsync(true));
    await cmd.publishAsync(
      "spBv1.0/plant/NCMD/gw-1",
      encodeIndependently({ metrics: [{ name: "Node Control/Rebirth", datatype: 11, booleanValue: true }] }),
    );
    await waitType(host, before, "DBIRTH");
    // The host hears its own NCMD too; the edge node's answer starts after it.
    const reborn = host.since(before).filter((m) => m.type !== "NCMD");
    expect(bdSeqOf(reborn[0])).toBe(0); // same connection: same bdSeq
    const aliases = checkSession(reborn);
    expect(aliases.get(born?.alias as number)).toBe("meter-1/voltage");
    read(232);
    await waitType(host, before, "DDATA");
    checkSession(host.since(before).filter((m) => m.type !== "NCMD"));
  });

  it("a dropped connection is announced by its will; the reconnect births with a new bdSeq and sends held readings as historical", async () => {
    const { broker, host, read } = await rig();
    read(230);
    await waitType(host, 0, "DBIRTH");

    // Another client with our client id makes the broker drop our connection: the will goes out.
    const intruder = await connectAsync(broker.url, { clientId: "tidegate-gw-1", reconnectPeriod: 0 });
    await intruder.endAsync(true);
    await waitType(host, 0, "NDEATH");
    const death = host.messages.find((m) => m.type === "NDEATH");
    expect(death?.seq).toBeUndefined();
    expect(bdSeqOf(death)).toBe(0);
    await waitType(host, 0, "NBIRTH", 2);
    const second = host.messages.filter((m) => m.type === "NBIRTH")[1];
    expect(bdSeqOf(second)).toBeGreaterThan(0);

    // The broker restarts: readings made meanwhile come back as historical metrics after the rebirth.
    const restartAt = host.messages.length;
    await broker.stop();
    const held = [read(240), read(241), read(null, "bad")];
    await broker.start();
    await waitType(host, restartAt, "DDATA").catch((err) => {
      console.log(
        JSON.stringify(
          host.messages.map((m) => [m.type, m.seq, m.metrics]),
          null,
          0,
        ),
      );
      throw err;
    });
    const after = host.since(restartAt);
    const nbirthAt = after.findIndex((m) => m.type === "NBIRTH");
    expect(bdSeqOf(after[nbirthAt])).toBeGreaterThan(bdSeqOf(second));
    const session = after.slice(nbirthAt);
    const aliases = checkSession(session);
    const historical = session.filter((m) => m.type === "DDATA").flatMap((m) => m.metrics);
    // The newest (a failed read: null) is the DBIRTH's current value; the older ones are history.
    const dbirth = session.find((m) => m.type === "DBIRTH");
    expect(dbirth?.metrics.find((m) => m.name === "voltage")).toMatchObject({
      timestamp: held[2],
      isNull: true,
    });
    expect(historical.map((m) => m.timestamp)).toEqual(held.slice(0, 2));
    expect(historical.every((m) => m.isHistorical === true)).toBe(true);
    expect(aliases.get(historical[0]?.alias as number)).toBe("meter-1/voltage");
  });

  it("a failing device gets a DDEATH and a DBIRTH when it is back; a clean stop sends NDEATH", async () => {
    const { host, north, devices, read } = await rig();
    read(230);
    await waitType(host, 0, "DBIRTH");
    (devices[0] as NorthDevice).health = { status: "failing" };
    await waitType(host, 0, "DDEATH");
    read(null, "bad");
    (devices[0] as NorthDevice).health = { status: "ok" };
    await waitType(host, 0, "DBIRTH", 2);
    read(235);
    await waitType(host, 0, "DDATA");
    checkSession(host.messages);
    await north.stop();
    await waitType(host, 0, "NDEATH");
    expect(bdSeqOf(host.messages.at(-1))).toBe(0);
  });
});
