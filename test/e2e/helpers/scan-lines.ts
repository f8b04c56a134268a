import type { Profile } from "@tidegate/profiles";
import {
  type LineSettings,
  startModbusRtuSimulator,
  startPtyPair,
  type TermiosWatch,
  watchTermios,
} from "@tidegate/simulators";

export { loadProfiles, type Profile } from "@tidegate/profiles";
export type { LineSettings } from "@tidegate/simulators";

/**
 * An RS-485 bus on a PTY pair whose simulated slaves answer only at `settings` and send noise at
 * any other, as devices on a real line do. What the master set is seen by running the master
 * under `trace` (strace of its tcsetattr calls): a Linux PTY forgets parity, so `stty` cannot tell.
 */
export async function startRs485Bus(
  dir: string,
  name: string,
  settings: LineSettings,
  slaves: { unitId: number; profile: Profile }[],
) {
  const pty = await startPtyPair(dir, name);
  let watch: TermiosWatch | undefined;
  const sim = await startModbusRtuSimulator({
    path: pty.deviceEnd,
    slaves: slaves.map((s, i) => ({ ...s, seed: i + 1 })),
    tickMs: 200,
    line: { settings, mismatch: "garbage", master: () => watch?.current() },
  });
  return {
    agentEnd: pty.agentEnd,
    sim,
    /** Runs the master (an agent command line) under strace, watching what it sets on this bus. */
    trace(command: string[], env?: NodeJS.ProcessEnv): TermiosWatch {
      watch = watchTermios({ path: pty.agentEnd, command, ...(env ? { env } : {}) });
      return watch;
    },
    /** The master's settings at which requests to these slaves were not understood. */
    misheardAt: () => Object.keys(sim.misheard()).sort(),
    async close() {
      await watch?.stop();
      await sim.close();
      await pty.close();
    },
  };
}
