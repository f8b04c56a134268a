import { loadProfiles, type Profile } from "@tidegate/profiles";
import { type ModbusTcpSimulator, startModbusTcpSimulator } from "@tidegate/simulators";
import { type NatsServer, startNatsServer } from "./nats.js";
import { type Started, startAgent, startCollector } from "./tidegate.js";

export interface System {
  gateway: string;
  nats: NatsServer;
  collector: Started;
  agent: Started;
  meter: ModbusTcpSimulator;
  climate: ModbusTcpSimulator;
  profiles: { meter: Profile; climate: Profile };
  stop(): Promise<void>;
}

/** A simulated SDM120 meter on a free port; the caller closes it. */
export function startMeter(seed: number): Promise<ModbusTcpSimulator> {
  return startModbusTcpSimulator({
    profile: loadProfiles().get("eastron/sdm120") as Profile,
    port: 0,
    tickMs: 200,
    seed,
  });
}

/**
 * The meter's points the system tests read: the SDM120 profile holds every register its manual
 * lists (33), and the tests' rates, backlogs and seq windows were sized for these seven.
 */
export const METER_POINTS = [
  "voltage",
  "current",
  "active_power",
  "power_factor",
  "frequency",
  "import_energy",
  "total_energy",
];

/** An agent config with one meter, sending to `natsUrl`, with quick commits and heartbeats for tests. */
export function meterAgentConfig(o: {
  gateway: string;
  natsUrl: string;
  meterPort: number;
  pollIntervalMs?: number;
  points?: string[];
}): string {
  return `
version: 1
gateway: ${o.gateway}
http: { host: 127.0.0.1 }
nats: { servers: ["${o.natsUrl}"], heartbeatIntervalMs: 500 }
buffer: { path: buffer.db, commitIntervalMs: 50 }
devices:
  - id: meter-1
    profile: eastron/sdm120
    transport: { type: tcp, host: 127.0.0.1, port: ${o.meterPort} }
    pollIntervalMs: ${o.pollIntervalMs ?? 200}
    points: [${(o.points ?? METER_POINTS).join(", ")}]
`;
}

/** An agent config with one SDM120 (meter-1, unit 1) on a serial line at 9600 8N1, polled every 200 ms. */
export function rtuMeterAgentConfig(o: { gateway: string; natsUrl: string; port: string }): string {
  return `
version: 1
gateway: ${o.gateway}
http: { host: 127.0.0.1 }
nats: { servers: ["${o.natsUrl}"] }
buffer: { path: buffer.db }
devices:
  - id: meter-1
    profile: eastron/sdm120
    transport: { type: rtu, port: ${o.port}, baudRate: 9600 }
    unitId: 1
    pollIntervalMs: 200
    timeoutMs: 300
`;
}

/**
 * The whole spine on real parts: two Modbus TCP simulators (an SDM120 meter and an XY-MD02
 * climate sensor), nats-server with JetStream, the built collector and agent processes.
 */
export async function startSystem(gateway = "e2e-plant"): Promise<System> {
  const all = loadProfiles();
  const profiles = {
    meter: all.get("eastron/sdm120") as Profile,
    climate: all.get("sonbest/xy-md02") as Profile,
  };
  const nats = await startNatsServer();
  const meter = await startModbusTcpSimulator({ profile: profiles.meter, port: 0, tickMs: 200, seed: 1 });
  const climate = await startModbusTcpSimulator({ profile: profiles.climate, port: 0, tickMs: 200, seed: 2 });
  const collector = await startCollector(nats.url);
  const agent = await startAgent(`
version: 1
gateway: ${gateway}
http: { host: 127.0.0.1 }
nats: { servers: ["${nats.url}"], heartbeatIntervalMs: 500 }
buffer: { path: buffer.db, commitIntervalMs: 50 }
uplink: { lingerMs: 50 }
devices:
  - id: meter-1
    profile: eastron/sdm120
    transport: { type: tcp, host: 127.0.0.1, port: ${meter.port} }
    pollIntervalMs: 200
    points: [${METER_POINTS.join(", ")}]
  - id: climate-1
    profile: sonbest/xy-md02
    transport: { type: tcp, host: 127.0.0.1, port: ${climate.port} }
    pollIntervalMs: 200
`);
  return {
    gateway,
    nats,
    collector,
    agent,
    meter,
    climate,
    profiles,
    async stop() {
      await agent.stop();
      await collector.stop();
      await meter.close().catch(() => {}); // a test may have closed it already
      await climate.close().catch(() => {});
      await nats.dispose();
    },
  };
}
