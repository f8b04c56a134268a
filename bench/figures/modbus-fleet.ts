import { setTimeout as sleep } from "node:timers/promises";
import { getJson } from "../../test/e2e/helpers/wait.js";
import { withNatsServer } from "../lib/cleanup.js";
import type { Emit } from "../lib/figure.js";
import { withAgentFleet } from "../lib/fleet.js";
import { cpuMs } from "../lib/proc.js";

const DEVICES = 50;
const POLL_MS = 100; // the fastest poll a device may be configured for
const WARMUP_MS = 5_000;
const MEASURE_MS = 20_000;

interface Status {
  seq: { committed: number };
  devices: { status: string }[];
}

/**
 * modbus.fleet_readings_per_s: readings the built agent reads, decodes and commits per second
 * from 50 simulated Modbus TCP devices polled every 100 ms (the meter and climate profiles
 * alternating), with the agent's CPU share beside it.
 */
export async function modbusFleetFigures(emit: Emit): Promise<void> {
  await withNatsServer((server) =>
    withAgentFleet(
      {
        natsUrl: server.url,
        gateway: "bench-fleet",
        devices: DEVICES,
        profiles: ["eastron/sdm120", "sonbest/xy-md02"],
        pollMs: POLL_MS,
      },
      async (agent, sims) => {
        const status = () => getJson<Status>(`${agent.url}/api/v1/status`);
        await sleep(WARMUP_MS);
        const pid = agent.process.child.pid as number;
        const before = {
          seq: (await status()).seq.committed,
          cpu: cpuMs(pid) ?? 0,
          simCpu: cpuMs(sims.pid) ?? 0,
          t: performance.now(),
        };
        await sleep(MEASURE_MS);
        const after = await status();
        const elapsed = performance.now() - before.t;
        const perS = ((after.seq.committed - before.seq) * 1000) / elapsed;
        const cpu = ((cpuMs(pid) ?? 0) - before.cpu) / elapsed;
        const simCpu = ((cpuMs(sims.pid) ?? 0) - before.simCpu) / elapsed;
        const ok = after.devices.filter((d) => d.status === "ok").length;
        emit({
          name: "modbus.fleet_readings_per_s",
          value: Math.round(perS),
          unit: "readings/s",
          note:
            `the built agent polling ${DEVICES} simulated Modbus TCP devices every ${POLL_MS} ms over loopback ` +
            `(sdm120 and xy-md02 alternating, one server each in one worker process), decoding and committing to its ` +
            `buffer and publishing to nats-server; ${MEASURE_MS / 1000} s after ${WARMUP_MS / 1000} s warm-up; ` +
            `${ok}/${DEVICES} devices ok; agent ${Math.round(cpu * 100)} % of a core, simulators ${Math.round(simCpu * 100)} %`,
        });
      },
    ),
  );
}
