import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type NatsServer, startNatsServer } from "../../test/e2e/helpers/nats.js";

type Cleanup = () => void | Promise<void>;
const pending = new Set<Cleanup>();

/** Runs every registered cleanup (newest first), for a signal arriving mid-run. */
export async function runPendingCleanups(): Promise<void> {
  const all = [...pending].reverse();
  pending.clear();
  for (const fn of all) {
    try {
      await fn();
    } catch {
      // best effort: keep cleaning up the rest
    }
  }
}

/** Registers `dispose` for a signal arriving mid-run until the returned function is called. */
export function track(dispose: Cleanup): () => void {
  pending.add(dispose);
  return () => void pending.delete(dispose);
}

/** Registers `dispose` while `fn` runs and always runs it afterwards, even when `fn` throws. */
export async function scoped<R, T>(resource: R, dispose: Cleanup, fn: (r: R) => Promise<T>): Promise<T> {
  pending.add(dispose);
  try {
    return await fn(resource);
  } finally {
    pending.delete(dispose);
    await dispose();
  }
}

/** A temporary directory on the machine's temp disk, deleted afterwards. */
export function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `tidegate-bench-${prefix}-`));
  return scoped(dir, () => rmSync(dir, { recursive: true, force: true }), fn);
}

/** A real nats-server (JetStream, loopback, free port, temp store), stopped and deleted afterwards. */
export async function withNatsServer<T>(fn: (server: NatsServer) => Promise<T>): Promise<T> {
  const server = await startNatsServer();
  return scoped(server, () => server.dispose(), fn);
}
