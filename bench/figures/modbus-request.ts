import { loadProfiles, modbusProfiles } from "@tidegate/profiles";
import pino from "pino";
import { createBus } from "../../agent/src/sources/modbus/bus.js";
import { planReads } from "../../agent/src/sources/modbus/coalesce.js";
import { readBlock } from "../../agent/src/sources/modbus/read-block.js";
import { allocatedBytes } from "../lib/alloc.js";
import type { Emit } from "../lib/figure.js";
import { startWorker } from "../lib/worker.js";

const PROFILES = ["eastron/sdm120", "sonbest/xy-md02"];
const WARMUP_POLLS = 500;
const POLLS = 3_000;

/**
 * modbus.request_bytes_per_reading: what the agent's Modbus request path (bus scheduler, framing,
 * socket) allocates per reading it fetches, polling the modbus fleet's two profiles over loopback
 * TCP in this process; the simulators run in a worker process, so their allocations do not count.
 */
export async function modbusRequestFigures(emit: Emit): Promise<void> {
  const all = modbusProfiles(loadProfiles());
  const sims = await startWorker(new URL("../workers/simulators.ts", import.meta.url), "simulators");
  const log = pino({ level: "silent" });
  try {
    const devices = await sims.call<{ port: number; profile: string; unitId: number }[]>("start", {
      count: PROFILES.length,
      profiles: PROFILES,
      tickMs: 1000,
    });
    const lines = devices.map((d) => {
      const profile = all.find((p) => p.id === d.profile);
      if (!profile) throw new Error(`profile ${d.profile} is not bundled`);
      const bus = createBus({ type: "tcp", host: "127.0.0.1", port: d.port }, log);
      return { bus, unitId: d.unitId, blocks: planReads(profile.points, {}) };
    });
    const readingsPerPoll = lines.reduce((n, l) => n + l.blocks.reduce((m, b) => m + b.points.length, 0), 0);
    const requestsPerPoll = lines.reduce((n, l) => n + l.blocks.length, 0);
    const poll = async () => {
      for (const l of lines)
        for (const block of l.blocks) await l.bus.request(l.unitId, 2000, (c) => readBlock(c, block));
    };
    for (let i = 0; i < WARMUP_POLLS; i++) await poll();
    const bytes = await allocatedBytes(async () => {
      for (let i = 0; i < POLLS; i++) await poll();
    });
    const perReading = bytes / (POLLS * readingsPerPoll);
    emit({
      name: "modbus.request_bytes_per_reading",
      value: Math.round(perReading),
      unit: "B",
      note:
        `V8 heap allocated by the agent's Modbus request path (bus, framing, socket) per reading fetched, ` +
        `${PROFILES.join(" and ")} over loopback TCP, ${requestsPerPoll} requests for ${readingsPerPoll} readings a poll; ` +
        `${Math.round((bytes / (POLLS * requestsPerPoll)) * 10) / 10} B per request; counted between garbage collections, so the machine's load does not change it`,
    });
    await Promise.all(lines.map((l) => l.bus.close()));
  } finally {
    await sims.call("stop").catch(() => {});
    await sims.dispose();
  }
}
