import { type KV, Kvm } from "@nats-io/kv";
import { type AnyProfile, pointLabel } from "@tidegate/profiles";
import { type Catalog, catalogKey, encodeCatalog, TIDEGATE_KV_BUCKET } from "@tidegate/protocol";
import type { Logger } from "pino";
import type { Uplink } from "./uplink.js";

/** The catalog of what this gateway reads: device ids, their profiles, point names and units. */
export function buildCatalog(
  gateway: string,
  devices: readonly { id: string; profile: AnyProfile }[],
  at: number,
): Catalog {
  return {
    v: 1,
    gateway,
    at,
    devices: devices.map((d) => ({
      id: d.id,
      profile: d.profile.id,
      points: d.profile.points.map((p) => ({ id: p.id, ...pointLabel(p) })),
    })),
  };
}

/**
 * Puts the catalog into the collectors' KV bucket whenever it differs from what was put last
 * (at start, after a config change, after the bucket appears): checked every `everyMs`, cheap
 * when nothing changed. Until a collector has created the bucket there is nowhere to put it.
 */
export function startCatalogPublisher(o: {
  gateway: string;
  devices: () => readonly { id: string; profile: AnyProfile }[];
  uplink: Uplink;
  log: Logger;
  everyMs?: number;
}) {
  let published = "";
  let kv: KV | undefined;
  let busy = false;
  const tick = async () => {
    const nc = o.uplink.connection();
    if (busy || !nc) return;
    const catalog = buildCatalog(o.gateway, o.devices(), Date.now());
    const fingerprint = JSON.stringify(catalog.devices);
    if (fingerprint === published) return;
    busy = true;
    try {
      kv ??= await new Kvm(nc).open(TIDEGATE_KV_BUCKET);
      await kv.put(catalogKey(o.gateway), encodeCatalog(catalog));
      published = fingerprint;
      o.log.info({ devices: catalog.devices.length }, "point catalog sent to the collectors");
    } catch {
      kv = undefined; // no bucket yet, or the link dropped: the next tick tries again
    } finally {
      busy = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), o.everyMs ?? 5000);
  return { stop: () => clearInterval(timer), publishNow: tick };
}
