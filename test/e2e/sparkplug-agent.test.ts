import type { AgentStatus } from "@tidegate/protocol";
import { describe, expect, it } from "vitest";
import { startMosquitto } from "../helpers/mosquitto.js";
import { deferredCleanup } from "./helpers/cleanup.js";
import { startNatsServer } from "./helpers/nats.js";
import { startSparkplugHost } from "./helpers/sparkplug.js";
import { startMeter } from "./helpers/system.js";
import { startAgent } from "./helpers/tidegate.js";
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
    expect(dbirth?.metrics.find((m) => m.name === "voltage")).toMatchObject({
      datatype: 10,
      properties: { engUnit: "V" },
    });

    const status = await getJson<AgentStatus>(`${agent.url}/api/v1/status`);
    expect(status.sparkplug).toMatchObject({ connected: true, bdSeq: 0 });
    expect(status.sparkplug?.messages).toBeGreaterThan(2);
    // The readings still go into the buffer for the uplink: Sparkplug is beside it, not instead.
    expect(status.seq.committed).toBeGreaterThan(0);
  });
});
