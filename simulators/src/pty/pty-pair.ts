import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface PtyPair {
  /** The end the agent opens, as it would open /dev/ttyUSB0. */
  readonly agentEnd: string;
  /** The end the simulated devices serve on. */
  readonly deviceEnd: string;
  /** Unplugs the "cable": socat exits and both ends disappear. */
  close(): Promise<void>;
  /** Plugs it in again under the same paths. */
  reopen(): Promise<void>;
}

/**
 * A virtual serial cable from socat: two pseudo-terminals wired back to back, under stable
 * symlink names in `dir` (like /dev/serial/by-id). Needs socat (installed by scripts/setup.sh).
 */
export async function startPtyPair(dir: string, name = "bus"): Promise<PtyPair> {
  const agentEnd = join(dir, `${name}-agent`);
  const deviceEnd = join(dir, `${name}-device`);
  let socat: ChildProcess | undefined;
  let output = "";

  async function open() {
    output = "";
    const child = spawn("socat", [`pty,raw,echo=0,link=${agentEnd}`, `pty,raw,echo=0,link=${deviceEnd}`], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.stderr?.on("data", (c: Buffer) => {
      output += c.toString();
    });
    socat = child;
    const deadline = Date.now() + 5000;
    while (!(existsSync(agentEnd) && existsSync(deviceEnd))) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`socat did not create ${agentEnd} and ${deviceEnd}: ${output || "no output"}`);
      await sleep(20);
    }
  }

  async function close() {
    const child = socat;
    socat = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }

  await open();
  return { agentEnd, deviceEnd, close, reopen: open };
}
