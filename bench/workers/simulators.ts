// Modbus TCP devices for the agent.rss figure, in a process of their own so the bench's own work
// never delays an answer (a late answer is a poll timeout, which would change what the agent does).
import { loadProfiles } from "@tidegate/profiles";
import { type ModbusTcpSimulator, startModbusTcpSimulator } from "@tidegate/simulators";
import { serve } from "../lib/worker.js";

const running: ModbusTcpSimulator[] = [];

/** Starts `count` simulators on free loopback ports, cycling through `profiles`; one device per server. */
async function start(a: { count: number; profiles: string[]; tickMs: number }) {
  const all = loadProfiles();
  const out: { port: number; profile: string; unitId: number }[] = [];
  for (let i = 0; i < a.count; i++) {
    const id = a.profiles[i % a.profiles.length] as string;
    const profile = all.get(id);
    if (profile?.kind !== "modbus") throw new Error(`no Modbus profile ${id}`);
    const sim = await startModbusTcpSimulator({ profile, port: 0, tickMs: a.tickMs, seed: i + 1 });
    running.push(sim);
    out.push({ port: sim.port, profile: id, unitId: sim.unitId });
  }
  return out;
}

async function stop() {
  await Promise.all(running.splice(0).map((s) => s.close()));
}

serve({ start, stop });
