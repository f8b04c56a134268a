import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentStatus } from "@tidegate/protocol";
import { startModbusTcpSimulator } from "@tidegate/simulators";
import { describe, expect, it } from "vitest";
import { startMosquitto } from "../helpers/mosquitto.js";
import { deferredCleanup } from "./helpers/cleanup.js";
import { startNatsServer } from "./helpers/nats.js";
import { encodeIndependently, startSparkplugHost } from "./helpers/sparkplug.js";
import { startMeter } from "./helpers/system.js";
import { startAgent } from "./helpers/tidegate.js";
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
