import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { Objm, StorageType } from "@nats-io/obj";
import { connect } from "@nats-io/transport-node";
import { sha256Hex } from "@tidegate/node-kit";
import { RELEASES_BUCKET, releaseObjectMetadata } from "@tidegate/protocol";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { downloadRelease, ReleaseMissingError } from "../../agent/src/upgrade/download.js";
import { deferredCleanup } from "./helpers/cleanup.js";
import { startNatsServer } from "./helpers/nats.js";

// The gateway's side of a release download on a real nats-server that goes away in the middle of it
// and comes back: the download ends with the whole tarball, whether the Object Store client's
// ordered consumer picks up where it was after the reconnect or our retry starts it again.

const defer = deferredCleanup();

async function rig(size: number) {
  const nats = await startNatsServer();
  defer(() => nats.dispose());
  const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  defer(() => nc.close());
  const tarball = randomBytes(size);
  const os = await new Objm(nc).create(RELEASES_BUCKET, { storage: StorageType.File });
  const manifest = {
    app: "agent" as const,
    version: "2.0.0",
    sha256: sha256Hex(tarball),
    size,
    signature: "",
    uploadedAt: Date.now(),
  };
  await os.putBlob({ name: "2.0.0", metadata: releaseObjectMetadata(manifest) }, tarball);
  const lines: string[] = [];
  const log = pino(
    { level: "warn" },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  return { nats, nc, tarball, log, lines };
}

describe("downloading a release from the bucket", () => {
  it("ends with the whole tarball when the server goes away mid-download and comes back", async () => {
    const { nats, nc, tarball, log, lines } = await rig(48 * 1024 * 1024);
    let dropped = false;
    let back = false;
    const seen: number[] = [];
    const got = await downloadRelease({
      connection: () => nc,
      version: "2.0.0",
      log,
      idleMs: 2000,
      backoff: { initialMs: 200, maxMs: 1000 },
      onProgress: (received) => {
        seen.push(received);
        if (dropped) return;
        dropped = true;
        void nats
          .stop()
          .then(() => nats.start())
          .then(() => {
            back = true;
          });
      },
    });
    expect(sha256Hex(got.tarball)).toBe(sha256Hex(tarball));
    expect(got.manifest).toMatchObject({ version: "2.0.0", size: tarball.length });
    // The server was down and back before the last chunk arrived: the download spanned the drop.
    expect(back).toBe(true);
    expect(seen.at(-1)).toBe(tarball.length);
    // Progress either ran on (the client resumed) or went back to the start once (our retry).
    const restarts = seen.filter((r, i) => i > 0 && r < (seen[i - 1] as number)).length;
    expect(restarts === 0 || lines.join("").includes("trying again from the start")).toBe(true);
  });

  it("does not retry a release the bucket does not hold, and says how to put it there", async () => {
    const { nc, log } = await rig(1024);
    await expect(downloadRelease({ connection: () => nc, version: "9.0.0", log })).rejects.toThrow(
      ReleaseMissingError,
    );
    await expect(downloadRelease({ connection: () => nc, version: "9.0.0", log })).rejects.toThrow(
      /release 9\.0\.0 is not in the releases bucket; upload it \(POST \/api\/v1\/releases\)/,
    );
  });
});
