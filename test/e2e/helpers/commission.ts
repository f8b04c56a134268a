import { loadProfiles, type Profile } from "@tidegate/profiles";
import { type ModbusTcpSimulator, startModbusTcpSimulator } from "@tidegate/simulators";
import { type NatsServer, startNatsServer } from "./nats.js";
import { meterAgentConfig, startMeter } from "./system.js";
import { type Started, type StartedAgent, startAgent, startCollector } from "./tidegate.js";

export interface CommissionRig {
  nats: NatsServer;
  collector: Started;
  /** Configured with one meter (meter-1) only. */
  agent: StartedAgent;
  /** The agent's config text as written, to check it is never rewritten. */
  configText: string;
  /** A simulated XY-MD02 on Modbus TCP that no config names: the device to commission. */
  climate: ModbusTcpSimulator;
  stop(): Promise<void>;
}

/**
 * What commissioning tests start with: nats-server, the built collector, the built agent polling
 * a simulated meter, and a simulated climate sensor at `unitId` holding fixed `values`.
 */
export async function startCommissionRig(
  gateway: string,
  o: { unitId: number; values: Record<string, number> },
): Promise<CommissionRig> {
  const stops: (() => unknown)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn();
  };
  try {
    const nats = await startNatsServer();
    stops.push(() => nats.dispose());
    const collector = await startCollector(nats.url);
    stops.push(() => collector.stop());
    const meter = await startMeter(5);
    stops.push(() => meter.close());
    const climate = await startModbusTcpSimulator({
      profile: loadProfiles().get("sonbest/xy-md02") as Profile,
      unitId: o.unitId,
      tickMs: 60_000,
    });
    stops.push(() => climate.close());
    for (const [point, value] of Object.entries(o.values)) climate.set(point, value);
    const configText = meterAgentConfig({ gateway, natsUrl: nats.url, meterPort: meter.port });
    const agent = await startAgent(configText);
    stops.push(() => agent.stop());
    return { nats, collector, agent, configText, climate, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
