import type { ReleaseManifest } from "@tidegate/protocol";

/** Where releases are kept: the JetStream Object Store in the collector, a map in route tests. */
export interface ReleaseShelf {
  list(): Promise<ReleaseManifest[]>;
  get(version: string): Promise<ReleaseManifest | undefined>;
  put(manifest: ReleaseManifest, tarball: Uint8Array): Promise<void>;
}

/** Thrown by a shelf that cannot reach its store (not connected to NATS yet). */
export class ShelfUnavailableError extends Error {}
