import { Objm } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import { createBackoff } from "@tidegate/node-kit";
import { RELEASES_BUCKET, type ReleaseManifest, releaseManifestOf } from "@tidegate/protocol";
import type { Logger } from "pino";

export class ReleaseMissingError extends Error {}

export interface DownloadOptions {
  connection: () => NatsConnection | undefined;
  version: string;
  log: Logger;
  onProgress?: (received: number, size: number) => void;
  /** Tries before giving up; each one starts from the beginning. */
  attempts?: number;
  /** A download that receives nothing for this long is given up and tried again. */
  idleMs?: number;
  backoff?: { initialMs?: number; maxMs?: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One whole read of the object, or the error that cut it short. */
async function readOnce(nc: NatsConnection, o: DownloadOptions) {
  const os = await new Objm(nc).open(RELEASES_BUCKET);
  const info = await os.info(o.version);
  const manifest = info && !info.deleted ? releaseManifestOf(info.metadata) : undefined;
  if (!manifest)
    throw new ReleaseMissingError(
      `release ${o.version} is not in the releases bucket; upload it (POST /api/v1/releases) and try again`,
    );
  const result = await os.get(o.version);
  if (!result) throw new ReleaseMissingError(`release ${o.version} was removed from the releases bucket`);
  const reader = result.data.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  const idleMs = o.idleMs ?? 30_000;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`nothing received for ${idleMs} ms`)), idleMs);
    });
    try {
      const { done, value } = await Promise.race([reader.read(), idle]);
      if (done) break;
      chunks.push(value);
      received += value.length;
      o.onProgress?.(received, manifest.size);
    } catch (err) {
      void reader.cancel().catch(() => {});
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
  const error = await result.error;
  if (error) throw error;
  return { manifest, tarball: Buffer.concat(chunks) };
}

/**
 * Fetches a release and its manifest from the releases bucket. The Object Store client's ordered
 * consumer carries on after a reconnect by itself; it has no ranged read, so a read that breaks
 * (an error, or `idleMs` without a chunk) is tried again from the start, with backoff, until
 * `attempts` are used up. A release that is not in the bucket is not retried.
 */
export async function downloadRelease(
  o: DownloadOptions,
): Promise<{ manifest: ReleaseManifest; tarball: Uint8Array }> {
  const attempts = o.attempts ?? 8;
  const backoff = createBackoff({
    initialMs: o.backoff?.initialMs ?? 1000,
    maxMs: o.backoff?.maxMs ?? 30_000,
  });
  let last: Error | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const nc = o.connection();
    try {
      if (!nc) throw new Error("not connected to NATS");
      return await readOnce(nc, o);
    } catch (err) {
      if (err instanceof ReleaseMissingError) throw err;
      last = err as Error;
      if (attempt === attempts) break;
      const delay = backoff.next();
      o.log.warn(
        { attempt, delayMs: delay, reason: last.message },
        `download of release ${o.version} broke (${last.message}); trying again from the start in ${delay} ms (the object store has no ranged read)`,
      );
      await sleep(delay);
    }
  }
  throw new Error(`download of release ${o.version} failed ${attempts} times; last: ${last?.message}`);
}
