import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProfiles, type OpcuaProfile } from "@tidegate/profiles";
import type { SequencedReading } from "@tidegate/protocol";
import { startOpcuaSimulator } from "@tidegate/simulators";
import { describe, expect, it } from "vitest";
import { apiFetch } from "./helpers/auth.js";
import { deferredCleanup } from "./helpers/cleanup.js";
import { startNatsServer } from "./helpers/nats.js";
import { startOpcuaAgent } from "./helpers/opcua.js";
import { startCollector } from "./helpers/tidegate.js";
import { getJson, waitFor } from "./helpers/wait.js";

// A PLC on OPC UA (tidegate-sim's node-opcua server) read by the built agent, through the faults
// peers get wrong: a server restart that renumbers its namespaces, a session the server drops, a
// subscription that goes quiet while the session stays up, and a bad status on one point.
// NATS is not running: every reading stays in the agent's buffer file, which the test reads.

const defer = deferredCleanup();
const profile = loadProfiles().get("generic/opcua-machine") as OpcuaProfile;

interface Status {
  devices: { id: string; status: string; errors?: Record<string, number> }[];
  inputs: { dropped: Record<string, Record<string, number>> };
}

function duplicates(readings: SequencedReading[]): string[] {
  const seen = new Set<string>();
  const dups: string[] = [];
  for (const r of readings) {
    const key = `${r.point}@${r.ts}`;
    if (seen.has(key)) dups.push(`${key}=${JSON.stringify(r.value)}`);
    seen.add(key);
  }
  return dups;
}

describe("OPC UA source", () => {
  it("reads a PLC through a restart, a dropped session and a quiet subscription, without duplicates", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tidegate-opcua-"));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const sim = await startOpcuaSimulator({ profile, pkiDir: join(dir, "sim"), tickMs: 100, seed: 5 });
    defer(() => sim.close());
    sim.set("program", "P-7");
    sim.set("running", true);
    const agent = await startOpcuaAgent(sim.endpointUrl, {
      gateway: "opcua-plant",
      transport: { samplingIntervalMs: 100, publishingIntervalMs: 100, keepAliveCount: 5 },
    });
    defer(() => agent.stop());
    const { buffered } = agent;
    const readingSince = (ts: number, point: string, test: (r: SequencedReading) => boolean = () => true) =>
      buffered().find((r) => r.point === point && r.ts > ts && test(r));

    const first = await waitFor(
      () => `the first readings\n${agent.output()}`,
      () => {
        const rs = buffered();
        const by = (p: string) => rs.find((r) => r.point === p && r.quality === "good");
        const wanted = [
          "spindle_speed",
          "motor_temperature",
          "axis_y",
          "program",
          "running",
          "last_cycle_end",
        ];
        return wanted.every(by) ? rs : undefined;
      },
      30_000,
    );
    const get = (p: string) => first.find((r) => r.point === p && r.quality === "good") as SequencedReading;
    expect(get("program").value).toBe("P-7");
    expect(get("running").value).toBe(true);
    expect(get("motor_temperature").value).toBeGreaterThanOrEqual(30); // by browse path
    expect(get("axis_y").value).toBeGreaterThanOrEqual(0); // an array element
    expect(typeof get("last_cycle_end").value).toBe("number"); // a DateTime as epoch ms

    // The technician browses the address space: folders, then variables with type, access and value.
    interface Browsed {
      nodes: {
        nodeId: string;
        browseName: string;
        nodeClass: string;
        dataType?: string;
        accessLevel?: object;
        value?: unknown;
        namespaceUri?: string;
      }[];
    }
    const root = await getJson<Browsed>(`${agent.url}/api/v1/opcua/browse?device=press-1`);
    const tags = root.nodes.find((n) => n.browseName === "Tags");
    expect(tags).toMatchObject({ nodeClass: "Object", namespaceUri: "urn:tidegate:machine" });
    expect(root.nodes.map((n) => n.browseName)).toContain("Machine"); // the browse-path points' folder
    const vars = await getJson<Browsed>(
      `${agent.url}/api/v1/opcua/browse?device=press-1&node=${encodeURIComponent(tags?.nodeId ?? "")}`,
    );
    expect(vars.nodes.find((n) => n.browseName === "Program")).toMatchObject({
      nodeClass: "Variable",
      dataType: "String",
      accessLevel: { read: true },
      value: "P-7",
    });
    expect(vars.nodes.find((n) => n.browseName === "AxisPositions")).toMatchObject({ dataType: "Double" });
    const badNode = await apiFetch(`${agent.url}/api/v1/opcua/browse?device=press-1&node=nonsense`);
    expect(badNode.status).toBe(400);
    expect(await badNode.json()).toMatchObject({ error: expect.stringMatching(/not a NodeId/) });
    expect((await apiFetch(`${agent.url}/api/v1/opcua/browse?device=nope`)).status).toBe(404);

    // A bad status is a reading of that quality, with the code's name and no value.
    sim.setStatus("spindle_speed", "BadSensorFailure");
    const bad = await waitFor("the bad status reading", () =>
      buffered().find((r) => r.point === "spindle_speed" && r.quality === "bad"),
    );
    expect(bad).toMatchObject({ value: null, reason: "BadSensorFailure" });
    sim.setStatus("spindle_speed", null);

    // The server restarts and its namespace index moves; the browse path is resolved again.
    const beforeRestart = Date.now();
    await sim.restart();
    sim.set("program", "P-8");
    await waitFor(
      () => `readings after the restart\n${agent.output()}`,
      () =>
        readingSince(beforeRestart, "program", (r) => r.value === "P-8") &&
        readingSince(beforeRestart, "motor_temperature"),
      30_000,
    );

    // The server drops the session: the agent builds a new one.
    const beforeDrop = Date.now();
    sim.dropSessions();
    sim.set("program", "P-9");
    await waitFor(
      () => `readings after the dropped session\n${agent.output()}`,
      () =>
        readingSince(beforeDrop, "program", (r) => r.value === "P-9") &&
        readingSince(beforeDrop, "spindle_speed"),
      30_000,
    );

    // The subscription goes silent (no data, no keep-alives) while the session stays up.
    sim.silenceSubscriptions();
    const beforeQuiet = Date.now();
    const status = await waitFor(
      () => `the watchdog to re-create the quiet subscription\n${agent.output()}`,
      async () => {
        const s = await getJson<Status>(`${agent.url}/api/v1/status`);
        const d = s.devices.find((x) => x.id === "press-1");
        return (d?.errors?.["quiet-subscription"] ?? 0) >= 1 ? s : undefined;
      },
      30_000,
    );
    expect(status.devices.map((d) => d.id)).toEqual(["press-1"]);
    sim.set("program", "P-10");
    await waitFor(
      () => `readings from the re-created subscription\n${agent.output()}`,
      () =>
        readingSince(beforeQuiet, "program", (r) => r.value === "P-10") &&
        readingSince(beforeQuiet, "axis_x"),
      30_000,
    );

    const all = buffered();
    expect(duplicates(all)).toEqual([]);
    // Values unchanged across a reconnect come back in each new subscription's first notification:
    // the agent recognised and dropped them.
    const s = await getJson<Status>(`${agent.url}/api/v1/status`);
    expect(s.inputs.dropped["press-1"]?.duplicate ?? 0).toBeGreaterThan(0);
    // Nothing unreadable became a value.
    expect(all.filter((r) => r.quality !== "good").every((r) => r.value === null && r.reason)).toBe(true);
  });

  it("polls instead of subscribing when configured to (servers that limit subscriptions)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tidegate-opcua-poll-"));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const sim = await startOpcuaSimulator({ profile, pkiDir: join(dir, "sim"), tickMs: 100 });
    defer(() => sim.close());
    sim.set("program", "P-POLL");
    sim.setStatus("motor_temperature", "UncertainLastUsableValue");
    const agent = await startOpcuaAgent(sim.endpointUrl, {
      gateway: "opcua-poll",
      device: { id: "press-5", pollIntervalMs: 200, points: ["program", "motor_temperature", "axis_x"] },
      transport: { read: "poll" },
    });
    defer(() => agent.stop());
    const { buffered } = agent;
    const rs = await waitFor(
      () => `polled readings\n${agent.output()}`,
      () => {
        const all = buffered();
        return all.some((r) => r.point === "program") && all.filter((r) => r.point === "axis_x").length >= 3
          ? all
          : undefined;
      },
      30_000,
    );
    expect(rs.find((r) => r.point === "program")).toMatchObject({ value: "P-POLL", quality: "good" });
    expect(rs.find((r) => r.point === "motor_temperature")).toMatchObject({
      value: null,
      quality: "uncertain",
      reason: "UncertainLastUsableValue",
    });
    // Only the configured points; an unchanged value polled again is not stored again.
    expect(new Set(rs.map((r) => r.point))).toEqual(new Set(["program", "motor_temperature", "axis_x"]));
    expect(rs.filter((r) => r.point === "program")).toHaveLength(1);
    expect(duplicates(rs)).toEqual([]);
  });

  it("a percent deadband holds back small changes of numbers; a variable without EURange is refused with the reason", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tidegate-opcua-db-"));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const sim = await startOpcuaSimulator({ profile, pkiDir: join(dir, "sim"), tickMs: 100 });
    defer(() => sim.close());
    const agent = await startOpcuaAgent(sim.endpointUrl, {
      gateway: "opcua-deadband",
      device: { id: "press-7", points: ["spindle_speed", "parts_count", "axis_x"] },
      transport: {
        samplingIntervalMs: 100,
        publishingIntervalMs: 100,
        deadband: { type: "percent", value: 60 },
      },
    });
    defer(() => agent.stop());
    const { buffered } = agent;
    // The axis (an array element: no EURange, so not an AnalogItem) and the counter have none.
    const rs = await waitFor(
      () => `readings under a deadband\n${agent.output()}`,
      () => {
        const all = buffered();
        return all.some((r) => r.point === "spindle_speed") &&
          all.some((r) => r.point === "parts_count") &&
          all.some((r) => r.point === "axis_x")
          ? all
          : undefined;
      },
      30_000,
    );
    // 60 % of spindle_speed's 0..24000 rpm range is more than its sine ever moves: one reading.
    await new Promise((r) => setTimeout(r, 1500));
    const later = buffered();
    expect(later.filter((r) => r.point === "spindle_speed")).toHaveLength(1);
    expect(later.find((r) => r.point === "spindle_speed")?.quality).toBe("good");
    for (const p of ["parts_count", "axis_x"])
      expect(rs.find((r) => r.point === p)).toMatchObject({
        quality: "bad",
        value: null,
        reason: expect.stringMatching(/^Bad/),
      });
  });

  it("its readings reach the collector", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tidegate-opcua-up-"));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const sim = await startOpcuaSimulator({ profile, pkiDir: join(dir, "sim"), tickMs: 200 });
    defer(() => sim.close());
    sim.set("program", "P-UP");
    sim.set("cycle_time", 12_500); // raw ms; the profile scales to s
    const nats = await startNatsServer();
    defer(() => nats.dispose());
    const collector = await startCollector(nats.url);
    defer(() => collector.stop());
    const agent = await startOpcuaAgent(sim.endpointUrl, {
      gateway: "opcua-uplink",
      natsUrl: nats.url,
      device: { id: "press-6" },
      transport: { publishingIntervalMs: 200, samplingIntervalMs: 200 },
    });
    defer(() => agent.stop());
    const points = await waitFor(
      () => `the PLC's points at the collector\n${agent.output()}`,
      async () => {
        const p = await getJson<{ points: { device: string; point: string; lastValue: unknown }[] }>(
          `${collector.url}/api/v1/points?gateway=opcua-uplink`,
        );
        const at = (id: string) => p.points.find((x) => x.device === "press-6" && x.point === id)?.lastValue;
        return at("program") === "P-UP" && at("cycle_time") === 12.5 ? p : undefined;
      },
      30_000,
    );
    expect(points.points.map((x) => x.point)).toEqual(
      expect.arrayContaining(["spindle_speed", "motor_temperature"]),
    );
  });
});
