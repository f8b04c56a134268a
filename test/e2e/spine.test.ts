import type { Profile } from "@tidegate/profiles";
import type { ModbusTcpSimulator } from "@tidegate/simulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiFetch } from "./helpers/auth.js";
import { METER_POINTS, type System, startSystem } from "./helpers/system.js";
import type { Started } from "./helpers/tidegate.js";
import { getJson, waitFor } from "./helpers/wait.js";

// The spine on real parts: Modbus TCP simulators → agent process (SQLite buffer) → nats-server
// with JetStream → collector process (SQLite store) → HTTP API.

interface Series {
  ts: number[];
  values: (number | null)[];
}

let sys: System;
let collector: Started;
let agent: Started;
let meter: ModbusTcpSimulator;
let climate: ModbusTcpSimulator;
let meterProfile: Profile;
let climateProfile: Profile;

beforeAll(async () => {
  sys = await startSystem("e2e-plant");
  ({ collector, agent, meter, climate } = sys);
  ({ meter: meterProfile, climate: climateProfile } = sys.profiles);
});

afterAll(async () => {
  await sys?.stop();
});

async function series(device: string, point: string): Promise<Series> {
  return getJson<Series>(
    `${collector.url}/api/v1/series?gateway=e2e-plant&device=${device}&point=${point}&from=0&to=${Date.now() + 60_000}`,
  );
}

function expectServed(sim: ModbusTcpSimulator, device: string, point: string, values: (number | null)[]) {
  const served = sim.served(point) as number[];
  for (const v of values) {
    expect(
      v,
      `${device}/${point} value ${v} was never served; served: ${served.slice(-10).join(", ")}`,
    ).not.toBeNull();
    const match = served.some((s) => Math.abs(s - (v as number)) <= 1e-9 * Math.max(1, Math.abs(s)));
    expect(
      match,
      `${device}/${point} value ${v} was never served; served: ${served.slice(-10).join(", ")}`,
    ).toBe(true);
  }
}

describe("spine: a Modbus reading travels from a device to the collector API", () => {
  it("every value the collector returns is one the simulator served, decoded per the profile", async () => {
    for (const [sim, device, profile] of [
      [meter, "meter-1", meterProfile],
      [climate, "climate-1", climateProfile],
    ] as const) {
      for (const point of profile.points.filter((p) => device !== "meter-1" || METER_POINTS.includes(p.id))) {
        const s = await waitFor(
          `3 values of ${device}/${point.id} at the collector\n${agent.process.output().slice(-2000)}`,
          async () => {
            const r = await series(device, point.id);
            return r.values.length >= 3 ? r : undefined;
          },
        );
        expect(s.ts).toEqual([...s.ts].sort((a, b) => a - b));
        expectServed(sim, device, point.id, s.values);
      }
    }
  });

  it("a value pinned on the device arrives exactly", async () => {
    meter.set("voltage", 241.25);
    climate.set("temperature", -7.3);
    await waitFor("pinned voltage at the collector", async () =>
      (await series("meter-1", "voltage")).values.includes(241.25),
    );
    await waitFor("pinned temperature at the collector", async () =>
      (await series("climate-1", "temperature")).values.includes(-7.3),
    );
  });

  it("both programs answer /healthz and report ready on /readyz", async () => {
    for (const url of [agent.url, collector.url]) {
      expect(await getJson(`${url}/healthz`)).toEqual({ status: "ok" });
      const ready = await waitFor(`${url}/readyz`, async () => {
        const r = await getJson<{ ready: boolean; reasons: string[] }>(`${url}/readyz`).catch(
          () => undefined,
        );
        return r?.ready ? r : undefined;
      });
      expect(ready.reasons).toEqual([]);
    }
  });

  it("the collector pushes new readings live to a browser (Server-Sent Events)", async () => {
    const controller = new AbortController();
    const res = await apiFetch(`${collector.url}/api/v1/live?series=e2e-plant/meter-1/voltage`, {
      signal: controller.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    const deadline = Date.now() + 15_000;
    while (!/event: reading\ndata: .*"point":"voltage"/.test(text) && Date.now() < deadline)
      text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const data = JSON.parse(/event: reading\ndata: (.*)/.exec(text)?.[1] ?? "null");
    expect(data).toMatchObject({ gateway: "e2e-plant", device: "meter-1", point: "voltage" });
    expect(typeof data.value).toBe("number");
  });

  it("both programs expose what happens as Prometheus histograms: device reads, store commits, HTTP requests", async () => {
    const text = (url: string) => apiFetch(`${url}/metrics`).then((r) => r.text());
    await waitFor("histograms with observations", async () => {
      const [a, c] = await Promise.all([text(agent.url), text(collector.url)]);
      return (
        /tidegate_device_read_seconds_count\{[^}]*device="meter-1"[^}]*outcome="ok"[^}]*\} [1-9]/.test(a) &&
        /tidegate_store_commit_seconds_count [1-9]/.test(c) &&
        /tidegate_http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/info"/.test(c)
      );
    });
  });

  it("the collector lists the gateway as online with its heartbeat", async () => {
    const body = await waitFor("gateway heartbeat", async () => {
      const r = await getJson<{
        gateways: { id: string; online: boolean; version?: string; backlog?: number }[];
      }>(`${collector.url}/api/v1/gateways`);
      const g = r.gateways.find((x) => x.id === "e2e-plant");
      return g?.version ? g : undefined;
    });
    expect(body).toMatchObject({ id: "e2e-plant", online: true, version: "0.1.0" });
    expect(typeof body.backlog).toBe("number");
  });

  it("the collector's point catalog carries names and units from the gateway's profiles", async () => {
    const voltage = await waitFor("the catalog", async () => {
      const { points } = await getJson<{
        points: { device: string; point: string; name?: string; unit?: string }[];
      }>(`${collector.url}/api/v1/points?gateway=e2e-plant`);
      return points.find((p) => p.device === "meter-1" && p.point === "voltage" && p.unit);
    });
    const spec = sys.profiles.meter.points.find((p) => p.id === "voltage");
    expect(voltage).toMatchObject({ name: spec?.name, unit: spec?.unit });
  });

  it("completeness can be checked from outside: what the agent committed is stored, nothing missing", async () => {
    const status = await getJson<{ seq: { committed: number; acked: number } }>(`${agent.url}/api/v1/status`);
    expect(status.seq.committed).toBeGreaterThan(0);
    const seq = await waitFor("the collector to store everything committed so far", async () => {
      const r = await getJson<{
        gateways: { id: string; seq: { max: number; stored: number; missing: number; dropped: number } }[];
      }>(`${collector.url}/api/v1/gateways`);
      const s = r.gateways.find((g) => g.id === "e2e-plant")?.seq;
      return s && s.max >= status.seq.committed && s.missing === 0 ? s : undefined;
    });
    expect(seq.stored + seq.dropped).toBe(seq.max);
    expect(seq.dropped).toBe(0);
  });

  it("the agent reports healthy devices and the latest value of every point", async () => {
    const status = await getJson<{
      uplink: { connected: boolean };
      devices: { id: string; status: string }[];
    }>(`${agent.url}/api/v1/status`);
    expect(status.uplink.connected).toBe(true);
    expect(status.devices.map((d) => [d.id, d.status]).sort()).toEqual([
      ["climate-1", "ok"],
      ["meter-1", "ok"],
    ]);
    const latest = await getJson<{
      readings: { device: string; point: string; quality: string; unit?: string }[];
    }>(`${agent.url}/api/v1/latest`);
    const keys = latest.readings.map((r) => `${r.device}/${r.point}`).sort();
    expect(keys).toEqual(
      [
        ...METER_POINTS.map((id) => `meter-1/${id}`),
        ...climateProfile.points.map((p) => `climate-1/${p.id}`),
      ].sort(),
    );
    expect(latest.readings.every((r) => r.quality === "good")).toBe(true);
    expect(latest.readings.find((r) => r.point === "voltage")?.unit).toBe("V");
  });

  it("a device that stops answering yields bad readings with a reason, not values", async () => {
    await climate.close();
    const status = await waitFor("climate-1 failing", async () => {
      const s = await getJson<{ devices: { id: string; status: string; lastError?: string }[] }>(
        `${agent.url}/api/v1/status`,
      );
      const d = s.devices.find((x) => x.id === "climate-1");
      return d && d.status !== "ok" && d.lastError ? d : undefined;
    });
    expect(status.lastError).toMatch(/connection|timeout|connect/i);
    const bad = await waitFor("bad climate readings", async () => {
      const l = await getJson<{
        readings: { device: string; quality: string; value: unknown; reason?: string }[];
      }>(`${agent.url}/api/v1/latest`);
      const rs = l.readings.filter((r) => r.device === "climate-1");
      return rs.every((r) => r.quality === "bad" && r.value === null && r.reason) ? rs : undefined;
    });
    expect(bad.length).toBe(climateProfile.points.length);
  });
});
