import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentStatus } from "@tidegate/protocol";
import { startModbusTcpSimulator } from "@tidegate/simulators";
import { describe, expect, it } from "vitest";
import { startMosquitto } from "../helpers/mosquitto.js";
import { apiFetch } from "./helpers/auth.js";
import { deferredCleanup } from "./helpers/cleanup.js";
import { startNatsServer } from "./helpers/nats.js";
import { encodeIndependently, startSparkplugHost } from "./helpers/sparkplug.js";
import { startMeter } from "./helpers/system.js";
import { startAgent, startCollector } from "./helpers/tidegate.js";
import { valveAgentConfig, valveDevice, writeValveProfile } from "./helpers/valve.js";
import { getJson, waitFor } from "./helpers/wait.js";

const defer = deferredCleanup();

describe("the built agent with sparkplug: in its config", () => {
  it("publishes a polled meter as a Sparkplug B edge node beside the JetStream uplink", async () => {
    const broker = await startMosquitto();
    defer(() => broker.dispose());
    const nats = await startNatsServer();
    defer(() => nats.dispose());
    const meter = await startMeter(3);
    defer(() => meter.close());
    const host = await startSparkplugHost(broker.url, "plant");
    defer(() => host.close());
    const agent = await startAgent(`
version: 1
gateway: spb-gw
http: { host: 127.0.0.1 }
nats: { servers: ["${nats.url}"] }
buffer: { path: buffer.db, commitIntervalMs: 50 }
devices:
  - id: meter-1
    profile: eastron/sdm120
    transport: { type: tcp, host: 127.0.0.1, port: ${meter.port} }
    pollIntervalMs: 200
    points: [voltage, frequency]
sparkplug:
  groupId: plant
  broker: { url: "${broker.url}" }
`);
    defer(() => agent.stop());

    await waitFor("DDATA from the agent", () => host.messages.some((m) => m.type === "DDATA"));
    const nbirth = host.messages.find((m) => m.type === "NBIRTH");
    expect(nbirth?.topic).toBe("spBv1.0/plant/NBIRTH/spb-gw"); // edge node id: the gateway id
    const dbirth = host.messages.find((m) => m.type === "DBIRTH");
    expect(dbirth?.topic).toBe("spBv1.0/plant/DBIRTH/spb-gw/meter-1");
    // The profile's register type: a float32 register is a Float metric (9).
    expect(dbirth?.metrics.find((m) => m.name === "voltage")).toMatchObject({
      datatype: 9,
      properties: { engUnit: "V" },
    });

    const status = await getJson<AgentStatus>(`${agent.url}/api/v1/status`);
    expect(status.sparkplug).toMatchObject({ connected: true, bdSeq: 0 });
    expect(status.sparkplug?.messages).toBeGreaterThan(2);
    // The readings still go into the buffer for the uplink: Sparkplug is beside it, not instead.
    // A DDATA may go out before the buffer's first commit (every 50 ms): wait for that commit.
    const committed = await waitFor("the readings committed to the buffer too", async () => {
      const { seq } = await getJson<AgentStatus>(`${agent.url}/api/v1/status`);
      return seq.committed > 0 ? seq.committed : undefined;
    });
    expect(committed).toBeGreaterThan(0);
  });

  it("takes DCMD writes through the remote write path when dcmdWrites is on, and refuses read-only points", async () => {
    const work = mkdtempSync(join(tmpdir(), "tidegate-spb-"));
    defer(() => rmSync(work, { recursive: true, force: true }));
    const { profilesDir, profile } = writeValveProfile(work);
    const sim = await startModbusTcpSimulator({ profile, port: 0, tickMs: 200, seed: 4 });
    defer(() => sim.close());
    const broker = await startMosquitto();
    defer(() => broker.dispose());
    const nats = await startNatsServer();
    defer(() => nats.dispose());
    const host = await startSparkplugHost(broker.url, "plant");
    defer(() => host.close());
    const agent = await startAgent(
      valveAgentConfig({
        gateway: "spb-valves",
        natsUrl: nats.url,
        profilesDir,
        devices: valveDevice("valve-1", sim.port),
        extra: `sparkplug:\n  groupId: plant\n  dcmdWrites: true\n  broker: { url: "${broker.url}" }\n`,
      }),
    );
    defer(() => agent.stop());
    await waitFor("the valve's DBIRTH", () => host.messages.find((m) => m.type === "DBIRTH"));
    const dbirth = host.messages.find((m) => m.type === "DBIRTH");
    const setpoint = dbirth?.metrics.find((m) => m.name === "setpoint");
    const dcmd = (metrics: Record<string, unknown>[]) =>
      host.client.publishAsync("spBv1.0/plant/DCMD/spb-valves/valve-1", encodeIndependently({ metrics }));

    // By alias, with the datatype left to the DBIRTH, as hosts send commands.
    await dcmd([{ alias: setpoint?.alias, doubleValue: 150.5 }]);
    await waitFor("the setpoint written", () => sim.current().setpoint === 150.5);
    await dcmd([{ name: "flow", datatype: 10, doubleValue: 1 }]); // read-only in the profile
    await dcmd([{ name: "setpoint", datatype: 10, doubleValue: 99_999 }]); // over the profile's max
    const status = await waitFor("two writes refused", async () => {
      const s = await getJson<AgentStatus>(`${agent.url}/api/v1/status`);
      return s.sparkplug?.writesRefused === 2 ? s : undefined;
    });
    expect(status.sparkplug?.writes).toBe(1);
    expect(sim.current().setpoint).toBe(150.5);
    expect(agent.output()).toMatch(/read-only in profile acme\/valve/);
  });
});

describe("a Sparkplug change through config.apply", () => {
  it("turns the edge node on and off on the running agent, with births and a death, no restart", async () => {
    const broker = await startMosquitto();
    defer(() => broker.dispose());
    const nats = await startNatsServer();
    defer(() => nats.dispose());
    const collector = await startCollector(nats.url);
    defer(() => collector.stop());
    const meter = await startMeter(4);
    defer(() => meter.close());
    const host = await startSparkplugHost(broker.url, "plant");
    defer(() => host.close());
    const agent = await startAgent(`
version: 1
gateway: spb-apply
http: { host: 127.0.0.1 }
nats: { servers: ["${nats.url}"], heartbeatIntervalMs: 500 }
buffer: { path: buffer.db, commitIntervalMs: 50 }
devices:
  - { id: meter-1, profile: eastron/sdm120, transport: { type: tcp, host: 127.0.0.1, port: ${meter.port} }, pollIntervalMs: 200, points: [voltage] }
`);
    defer(() => agent.stop());
    const command = async (verb: string, body: unknown = {}) => {
      const res = await apiFetch(`${collector.url}/api/v1/gateways/spb-apply/commands/${verb}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return {
        status: res.status,
        body: (await res.json()) as { result?: { config: Record<string, unknown> } },
      };
    };
    const got = await waitFor(
      () => `config.get through the collector\n${agent.output().slice(-2000)}`,
      async () => {
        const r = await command("config.get");
        return r.status === 200 ? r.body.result : undefined;
      },
      30_000,
      250,
    );
    const pid = agent.process.child.pid;
    expect(host.messages).toEqual([]);

    const on = { ...got?.config, sparkplug: { groupId: "plant", broker: { url: broker.url } } };
    const applied = await command("config.apply", { config: on, timeoutMs: 10_000 });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    await waitFor("the births after config.apply", () =>
      host.messages.some((m) => m.topic === "spBv1.0/plant/DBIRTH/spb-apply/meter-1"),
    );
    expect(host.messages[0]?.topic).toBe("spBv1.0/plant/NBIRTH/spb-apply");
    await waitFor("DDATA of the meter", () => host.messages.some((m) => m.type === "DDATA"));

    const off = { ...got?.config };
    const removed = await command("config.apply", { config: off, timeoutMs: 10_000 });
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    await waitFor("the NDEATH of the clean stop", () => host.messages.some((m) => m.type === "NDEATH"));
    // The same process all along.
    expect(agent.process.child.pid).toBe(pid);
    expect(agent.runs()).toBe(1);
    expect(agent.alive()).toBe(true);
  }, 90_000);
});
