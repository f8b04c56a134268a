import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LineProfile, loadProfiles, type MqttProfile } from "@tidegate/profiles";
import { startMqttPublisher, startPtyPair, startSerialLineSimulator } from "@tidegate/simulators";
import { describe, expect, it } from "vitest";
import { deferredCleanup } from "./helpers/cleanup.js";
import { startNatsServer } from "./helpers/nats.js";
import { freePort } from "./helpers/ports.js";
import { startAgent, startCollector } from "./helpers/tidegate.js";
import { getJson, waitFor } from "./helpers/wait.js";

// The other field devices a technician wires to a gateway: a GPS printing NMEA sentences on a
// serial port (a socat PTY pair here) and an MQTT sensor publishing to the gateway's own broker,
// through the real agent to the collector.

const defer = deferredCleanup();
const profiles = loadProfiles();

interface Status {
  devices: { id: string; status: string }[];
  inputs: { dropped: Record<string, Record<string, number>> };
}
interface Latest {
  readings: { device: string; point: string; value: unknown; quality: string }[];
}

describe("serial line and MQTT devices", () => {
  it("reach the collector; garbage lines and malformed payloads are counted by reason, never stored", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tidegate-field-"));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const pty = await startPtyPair(dir, "gps");
    defer(() => pty.close());
    const gps = await startSerialLineSimulator({
      path: pty.deviceEnd,
      profile: profiles.get("u-blox/neo-6m") as LineProfile,
      intervalMs: 200,
      seed: 3,
    });
    defer(() => gps.close());
    const nats = await startNatsServer();
    defer(() => nats.dispose());
    const collector = await startCollector(nats.url);
    defer(() => collector.stop());
    const mqttPort = await freePort();
    const agent = await startAgent(
      `
version: 1
gateway: field-plant
http: { host: 127.0.0.1 }
nats: { servers: ["${nats.url}"], heartbeatIntervalMs: 500 }
buffer: { path: buffer.db, commitIntervalMs: 50 }
devices:
  - id: gps-1
    profile: u-blox/neo-6m
    transport: { type: serial, port: ${pty.agentEnd} }
mqtt:
  broker:
    embedded:
      host: 127.0.0.1
      port: ${mqttPort}
      users: [{ username: ht-kitchen, password: { env: HT_PASSWORD }, publish: ["shellies/ht-kitchen/#"] }]
  devices:
    - profile: shelly/ht-gen1
`,
      { env: { HT_PASSWORD: "s3cret-ht" } },
    );
    defer(() => agent.stop());
    const ht = await startMqttPublisher({
      url: `mqtt://127.0.0.1:${mqttPort}`,
      profile: profiles.get("shelly/ht-gen1") as MqttProfile,
      deviceId: "ht-kitchen",
      intervalMs: 200,
      username: "ht-kitchen",
      password: "s3cret-ht",
    });
    defer(() => ht.close());

    gps.set("satellites", 9);
    ht.set("temperature", 21.5);
    const latest = (device: string, point: string) =>
      getJson<Latest>(`${agent.url}/api/v1/latest`).then((l) =>
        l.readings.find((r) => r.device === device && r.point === point),
      );
    await waitFor(
      "the GPS's satellites at the agent",
      async () => (await latest("gps-1", "satellites"))?.value === 9,
      15_000,
    );
    await waitFor(
      "the H&T's temperature at the agent",
      async () => (await latest("ht-kitchen", "temperature"))?.value === 21.5,
      15_000,
    );

    gps.inject("bad-checksum");
    gps.inject("garbage");
    await ht.publishRaw("shellies/ht-kitchen/sensor/temperature", "warm");
    const status = await waitFor(
      "the drops to be counted",
      async () => {
        const s = await getJson<Status>(`${agent.url}/api/v1/status`);
        const d = s.inputs.dropped;
        return (d["gps-1"]?.["checksum-mismatch"] ?? 0) >= 1 &&
          (d["gps-1"]?.garbage ?? 0) >= 1 &&
          (d.mqtt?.["not-a-number"] ?? 0) >= 1
          ? s
          : undefined;
      },
      15_000,
    );
    expect(status.devices.map((d) => d.id).sort()).toEqual(["gps-1", "ht-kitchen"]);
    // The bad payload left the last good value standing: nothing unreadable became a value.
    expect((await latest("ht-kitchen", "temperature"))?.value).toBe(21.5);

    const points = await waitFor(
      "both devices at the collector",
      async () => {
        const p = await getJson<{ points: { device: string; point: string; lastValue: unknown }[] }>(
          `${collector.url}/api/v1/points?gateway=field-plant`,
        );
        const sats = p.points.find((x) => x.device === "gps-1" && x.point === "satellites");
        const temp = p.points.find((x) => x.device === "ht-kitchen" && x.point === "temperature");
        return sats?.lastValue === 9 && temp?.lastValue === 21.5 ? p : undefined;
      },
      20_000,
    );
    expect(points.points.length).toBeGreaterThan(2);
  });
});
