import { testAuthStore } from "@tidegate/http-kit/testing";
import { loadProfiles, type Profile } from "@tidegate/profiles";
import { type ModbusTcpSimulator, startModbusTcpSimulator } from "@tidegate/simulators";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stubAgentView } from "../../../test/helpers/agent-view.js";
import { createScanner, type ScanState } from "../commission/scan/scanner.js";
import { createAgentApp } from "./app.js";

// The scan routes in-process, sweeping a real Modbus TCP simulator on loopback.

const profiles = loadProfiles();
const auth = testAuthStore();
let sim: ModbusTcpSimulator;
const scanner = createScanner(
  {
    loaded: () => ({ config: { devices: [] }, library: { all: () => profiles } }),
    modbusTarget: () => undefined,
  },
  pino({ level: "silent" }),
);
const view = stubAgentView;
const app = createAgentApp(view, { auth: { store: auth.store }, local: { scan: scanner } });

beforeAll(async () => {
  sim = await startModbusTcpSimulator({
    profile: profiles.get("eastron/sdm120") as Profile,
    unitId: 4,
    tickMs: 60_000,
  });
});
afterAll(async () => {
  scanner.stop();
  await scanner.settled();
  await sim.close();
});

const call = (method: string, body?: unknown, role: "viewer" | "operator" = "operator") =>
  app.request("/api/v1/commission/scan", {
    method,
    headers: { ...auth.headers[role], "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe("/api/v1/commission/scan", () => {
  it("is for operators, and says what a scan request looks like", async () => {
    expect((await call("GET", undefined, "viewer")).status).toBe(403);
    expect((await call("GET")).status).toBe(404);
    const bad = await call("POST", { serial: "/dev/ttyUSB0", framings: ["7E1"] });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/serial: <port path>/);
  });

  it("sweeps a TCP host's unit ids, refuses a second scan meanwhile, and keeps the result", async () => {
    const started = await call("POST", {
      host: "127.0.0.1",
      port: sim.port,
      unitIds: { from: 1, to: 6 },
      timeoutMs: 150,
    });
    expect(started.status).toBe(202);
    expect(((await started.json()) as ScanState).state).toBe("running");
    expect((await call("POST", { host: "127.0.0.1", port: sim.port })).status).toBe(409);
    await scanner.settled();
    const done = (await (await call("GET")).json()) as ScanState;
    expect(done.state).toBe("done");
    expect(done.progress.found.map(({ unitId, setting }) => ({ unitId, setting }))).toEqual([
      { unitId: 4, setting: "tcp" },
    ]);
    // Identified: every Modbus profile read against it, the best few kept with their values.
    const candidates = done.progress.found[0]?.candidates ?? [];
    expect(candidates.map((c) => c.profile)).toContain("eastron/sdm120");
    expect(candidates.find((c) => c.profile === "eastron/sdm120")?.values.map((v) => v.id)).toContain(
      "voltage",
    );
    expect(done.progress.idsTried).toBe(6);
    // Kept until the next scan.
    expect(((await (await call("GET")).json()) as ScanState).id).toBe(done.id);
  });

  it("ranks a SunSpec inverter's profile first by its marker and its identify register", async () => {
    const inverter = await startModbusTcpSimulator({
      profile: profiles.get("sunspec/inverter-103") as Profile,
      unitId: 2,
      tickMs: 60_000,
    });
    try {
      const started = await call("POST", {
        host: "127.0.0.1",
        port: inverter.port,
        unitIds: { from: 2, to: 2 },
      });
      expect(started.status).toBe(202);
      await scanner.settled();
      const done = (await (await call("GET")).json()) as ScanState;
      const best = done.progress.found[0]?.candidates?.[0];
      expect(best?.profile).toBe("sunspec/inverter-103");
      expect(best?.evidence.map((e) => e.text)).toEqual(
        expect.arrayContaining(['SunSpec marker "SunS" at 40000', "common model ID = 1, as the manual says"]),
      );
    } finally {
      await inverter.close();
    }
  });

  it("cancels a running scan", async () => {
    const started = await call("POST", { host: "127.0.0.1", port: sim.port, timeoutMs: 150 });
    expect(started.status).toBe(202);
    expect(await (await call("DELETE")).json()).toEqual({ cancelled: true });
    await scanner.settled();
    const done = (await (await call("GET")).json()) as ScanState;
    expect(done.state).toBe("cancelled");
    expect(done.progress.idsTried).toBeLessThan(247);
    expect(await (await call("DELETE")).json()).toEqual({ cancelled: false });
  });
});
