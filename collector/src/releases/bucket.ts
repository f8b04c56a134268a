import { type ObjectStore, Objm, StorageType } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import { RELEASES_BUCKET, releaseManifestOf, releaseObjectMetadata } from "@tidegate/protocol";
import type { Logger } from "pino";
import { streamReplicas, withReplicas } from "../consumer/replicas.js";
import { type ReleaseShelf, ShelfUnavailableError } from "./shelf.js";

/**
 * The releases bucket (JetStream Object Store `tidegate-releases`, file storage, replicas like the
 * other streams): one object per version, its manifest in the object's metadata. Opened on first
 * use, so a collector that never sees an upload does not create it.
 */
export function createReleaseBucket(o: {
  connection: () => NatsConnection | undefined;
  streamReplicas?: number;
  log: Logger;
}): ReleaseShelf {
  let bucket: Promise<ObjectStore> | undefined;
  const open = () => {
    const nc = o.connection();
    if (!nc) throw new ShelfUnavailableError("the collector is not connected to NATS yet; try again shortly");
    bucket ??= withReplicas(streamReplicas(nc, o.streamReplicas), "releases bucket", o.log, (replicas) =>
      new Objm(nc).create(RELEASES_BUCKET, { storage: StorageType.File, replicas }),
    ).catch((err) => {
      bucket = undefined;
      throw err;
    });
    return bucket;
  };
  return {
    async list() {
      const os = await open();
      const infos = await os.list();
      return infos
        .filter((i) => !i.deleted)
        .flatMap((i) => releaseManifestOf(i.metadata) ?? [])
        .sort((a, b) => b.uploadedAt - a.uploadedAt);
    },
    async get(version) {
      const os = await open();
      const info = await os.info(version);
      return info && !info.deleted ? releaseManifestOf(info.metadata) : undefined;
    },
    async put(manifest, tarball) {
      const os = await open();
      await os.putBlob(
        {
          name: manifest.version,
          description: `tidegate-agent ${manifest.version}`,
          metadata: releaseObjectMetadata(manifest),
        },
        tarball,
      );
    },
  };
}
