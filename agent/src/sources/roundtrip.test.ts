import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LineProfile, loadProfiles, type MqttProfile, modbusProfiles } from "@tidegate/profiles";
import type { Reading } from "@tidegate/protocol";
import {
  startModbusTcpSimulator,
  startMqttPublisher,
  startPtyPair,
  startSerialLineSimulator,
} from "@tidegate/simulators";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../../test/e2e/helpers/wait.js";
import { deviceSchema } from "../config/schema.js";
import { createSerialLineSource } from "./line/source.js";
import { createBus } from "./modbus/bus.js";
import { createDevicePoller } from "./modbus/device-poller.js";
import { mqttConfigSchema } from "./mqtt/config.js";
import { createMqttSource } from "./mqtt/source.js";

// Every bundled profile, served by its simulator over the real protocol (Modbus TCP on loopback; a
// socat PTY pair; the embedded MQTT broker) and read by the agent's source: the values pinned on
// the simulator, taken from the profile's own testdata, must come back as they went in.

const log = pino({ level: "silent" });
const profiles = [...loadProfiles().values()];
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The values a profile's testdata says its points decode to; the last one wins. */
function testdataValues(testdata: readonly { values: Record<string, unknown> }[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const t of testdata) for (const [k, v] of Object.entries(t.values)) if (v !== null) out.set(k, v);
  return out;
}

/** Waits for `check`; on timeout the message shows what was last seen. */
const until = (what: string, check: () => boolean, lastSeen: () => unknown) =>
  waitFor(() => `${what}; last seen: ${JSON.stringify(lastSeen())}`, check, 20_000, 25);

const lastOf = (readings: Reading[]) =>
  Object.fromEntries(
    readings.map((r) => [r.point, r.quality === "good" ? r.value : `${r.quality}: ${r.reason}`]),
  );
const matches =
  (readings: Reading[], expected: Map<string, unknown>, step = new Map<string, number>()) =>
  () =>
    [...expected].every(([point, value]) => {
      const got = readings.findLast((r) => r.point === point)?.value;
      if (typeof got === "number" && typeof value === "number")
        return Math.abs(got - value) <= (step.get(point) ?? 0) + 1e-9;
      return got === value;
    });

describe("serial-line profiles round trip", { timeout: 30_000 }, () => {
  for (const profile of profiles.filter((p): p is LineProfile => p.kind === "serial-line")) {
    it(`${profile.id}: what the simulator prints on a PTY, the source reads back`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "tidegate-roundtrip-"));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const pty = await startPtyPair(dir, "line");
      cleanups.push(() => pty.close());
      const sim = await startSerialLineSimulator({ path: pty.deviceEnd, profile, intervalMs: 100, seed: 1 });
      cleanups.push(() => sim.close());
      const expected = testdataValues(profile.testdata);
      for (const [point, value] of expected) sim.set(point, value as never);
      // The simulator prints a number with the point's `decimals` (of the raw, unscaled value), as the
      // device would: a number comes back within one printed step.
      const step = new Map(profile.points.map((p) => [p.id, Math.abs(p.scale) * 10 ** -(p.decimals ?? 6)]));
      const readings: Reading[] = [];
      const source = createSerialLineSource({
        device: { id: "dev", transport: { type: "serial", port: pty.agentEnd } },
        profile,
        emit: (r) => readings.push(...r),
        log,
      });
      cleanups.push(() => source.stop());
      source.start();
      expect(expected.size).toBeGreaterThan(0);
      await until(
        `${profile.id} values ${JSON.stringify([...expected])}`,
        matches(readings, expected, step),
        () => lastOf(readings),
      );
      expect(readings.every((r) => r.quality !== "bad" || r.value === null)).toBe(true);
    });
  }
});

describe("MQTT profiles round trip", { timeout: 30_000 }, () => {
  for (const profile of profiles.filter((p): p is MqttProfile => p.kind === "mqtt")) {
    it(`${profile.id}: what the publisher sends through the embedded broker, the source reads back`, async () => {
      const readings: Reading[] = [];
      const source = createMqttSource({
        config: mqttConfigSchema.parse({
          broker: { embedded: { host: "127.0.0.1", port: 0, allowAnonymous: true } },
          devices: [{ profile: profile.id }],
        }),
        profiles: new Map([[profile.id, profile]]),
        emit: (r) => readings.push(...r),
        log,
      });
      await source.start();
      cleanups.push(() => source.stop());
      const pub = await startMqttPublisher({
        url: `mqtt://127.0.0.1:${source.broker()?.port}`,
        profile,
        deviceId: "dev-1",
        intervalMs: 100,
        seed: 1,
      });
      cleanups.push(() => pub.close());
      const expected = testdataValues(profile.testdata);
      for (const skipped of pub.skipped) expected.delete(skipped);
      for (const [point, value] of expected) pub.set(point, value as never);
      expect(expected.size).toBeGreaterThan(0);
      await until(`${profile.id} values ${JSON.stringify([...expected])}`, matches(readings, expected), () =>
        lastOf(readings),
      );
      expect(readings.every((r) => r.device === "dev-1")).toBe(true);
    });
  }
});

describe("Modbus profiles round trip", { timeout: 30_000 }, () => {
  for (const profile of modbusProfiles(loadProfiles())) {
    it(`${profile.id}: every point the simulator serves over Modbus TCP, the poller decodes to the same value`, async () => {
      // Values stand still (an hour between ticks), so what the simulator serves is what must arrive.
      const sim = await startModbusTcpSimulator({ profile, port: 0, tickMs: 3_600_000, seed: 11 });
      cleanups.push(() => sim.close());
      for (const t of profile.testdata) sim.set(t.point, t.value);
      const device = deviceSchema.parse({
        id: "dev",
        profile: profile.id,
        transport: { type: "tcp", host: "127.0.0.1", port: sim.port },
        pollIntervalMs: 100,
      });
      if (device.transport.type === "serial" || device.transport.type === "opcua")
        throw new Error("not a Modbus transport");
      const bus = createBus(device.transport, log);
      cleanups.push(() => bus.close());
      const readings: Reading[] = [];
      const poller = createDevicePoller({ device, profile, bus, log, emit: (r) => readings.push(...r) });
      cleanups.push(() => poller.stop());
      poller.start();
      const served = new Map(Object.entries(sim.current()));
      await until(`${profile.id} values`, matches(readings, served), () => lastOf(readings));
      expect(readings.every((r) => r.quality === "good")).toBe(true);
    });
  }
});
