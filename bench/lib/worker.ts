// A bench worker: a separate Node process (TypeScript through tsx) that the bench drives over the
// IPC channel, so two parts of the pipeline (uplink, collector) each get a thread of their own the way
// they would in a real deployment. The worker side calls `serve(handlers)`; the bench side
// `startWorker(script)`, then `call(cmd, args)`.
import { type ChildProcess, fork } from "node:child_process";
import { setPriority } from "node:os";
import { fileURLToPath } from "node:url";
import { track } from "./cleanup.js";
import { deadline } from "./figure.js";

interface Request {
  id: number;
  cmd: string;
  args: unknown;
}
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/** Milliseconds since the epoch with sub-millisecond resolution, comparable across processes. */
export const wallNow = () => performance.timeOrigin + performance.now();

export interface Worker {
  readonly pid: number;
  /** Runs `cmd` in the worker; rejects after `timeoutMs` (the worker keeps running: dispose() ends it). */
  call<T>(cmd: string, args?: unknown, timeoutMs?: number): Promise<T>;
  /**
   * worker clock - bench clock in ms, from the round trip with the smallest delay (NTP style).
   * Subtract it from a wallNow() taken in the worker to compare it with one taken here.
   */
  clockOffset(): Promise<number>;
  dispose(): Promise<void>;
}

const WORKER_START_MS = 20_000;

/**
 * Starts `script` (a .ts file next to the caller, as a URL) and waits until it serves. `nice`
 * lowers a load generator's CPU priority, so on a machine it shares with the programs it measures
 * it takes what they leave, as it would from a machine of its own.
 */
export async function startWorker(script: URL, name: string, o: { nice?: number } = {}): Promise<Worker> {
  const child: ChildProcess = fork(fileURLToPath(script), [], {
    execArgv: ["--import", import.meta.resolve("tsx")],
    // stdout is the bench's JSON channel: a worker's output goes to stderr, prefixed.
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  if (o.nice !== undefined && child.pid !== undefined) setPriority(child.pid, o.nice);
  const prefix = (chunk: Buffer) =>
    process.stderr.write(
      chunk
        .toString()
        .split("\n")
        .filter((l) => l.length > 0)
        .map((l) => `[${name}] ${l}\n`)
        .join(""),
    );
  child.stdout?.on("data", prefix);
  child.stderr?.on("data", prefix);

  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const failAll = (why: string) => {
    for (const w of waiting.values()) w.reject(new Error(`${name} worker ${why}`));
    waiting.clear();
  };
  child.once("exit", (code, signal) => failAll(`exited (${code ?? signal})`));
  // A send on a closed channel (the worker already ended, e.g. after Ctrl-C) emits 'error': without a
  // listener that would end the bench before its cleanups ran.
  child.on("error", (err) => failAll(`failed: ${err.message}`));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} worker not ready after ${WORKER_START_MS} ms`)),
      WORKER_START_MS,
    );
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} worker exited during start (${code})`));
    });
    child.on("message", (m: Reply | { ready: true }) => {
      if ("ready" in m) {
        clearTimeout(timer);
        resolve();
        return;
      }
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      if (m.ok) w.resolve(m.result);
      else w.reject(new Error(`${name}: ${m.error}`));
    });
  });

  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const untrack = track(dispose);
  try {
    await ready;
  } catch (err) {
    untrack();
    await dispose();
    throw err;
  }

  const call = <T>(cmd: string, args?: unknown, timeoutMs = 120_000) =>
    new Promise<T>((resolve, reject) => {
      if (!child.connected) {
        reject(new Error(`${name} worker is gone; cannot run ${cmd}`));
        return;
      }
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`${name}: ${cmd} gave up after ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      child.send({ id, cmd, args } satisfies Request, (err) => {
        if (!err) return;
        waiting.delete(id);
        clearTimeout(timer);
        reject(new Error(`${name}: cannot send ${cmd}: ${err.message}`));
      });
    });

  return {
    pid: child.pid as number,
    call,
    async clockOffset() {
      let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 };
      const limit = deadline(`${name} clock offset`, 5_000);
      for (let i = 0; i < 20; i++) {
        const sent = wallNow();
        const theirs = await call<number>("now");
        const back = wallNow();
        if (back - sent < best.rtt) best = { rtt: back - sent, offset: theirs - (sent + back) / 2 };
        limit.check();
      }
      return best.offset;
    },
    async dispose() {
      untrack();
      await dispose();
    },
  };
}

/** The worker side: answers the bench's calls with `handlers`; exits when the bench goes away. */
export function serve(handlers: Record<string, (args: never) => unknown>): void {
  const send = (reply: Reply) => process.send?.(reply);
  process.on("message", (m: Request) => {
    const handler = m.cmd === "now" ? wallNow : handlers[m.cmd];
    if (!handler) {
      send({ id: m.id, ok: false, error: `unknown command ${m.cmd}` });
      return;
    }
    Promise.resolve()
      .then(() => (handler as (args: unknown) => unknown)(m.args))
      .then(
        (result) => send({ id: m.id, ok: true, result }),
        (err: Error) => send({ id: m.id, ok: false, error: err?.stack ?? String(err) }),
      );
  });
  process.on("disconnect", () => process.exit(0));
  process.send?.({ ready: true });
}
