import { type KV, Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { type Catalog, catalogKey, decodeCatalog, TIDEGATE_KV_BUCKET } from "@tidegate/protocol";

export interface PointInfo {
  name: string;
  unit?: string;
  decimals?: number;
  writable?: boolean;
}

/**
 * Reads the gateways' point catalogs (names and units from their device profiles) from the KV
 * bucket, kept for `ttlMs` so a dashboard refreshing its point list does not ask NATS each time.
 * A catalog that cannot be read (not sent yet, malformed) is simply absent: points then have no
 * unit, and nothing else changes.
 */
export function createCatalogReader(o: { ttlMs?: number; now?: () => number } = {}) {
  const ttlMs = o.ttlMs ?? 15_000;
  const now = o.now ?? Date.now;
  let nc: NatsConnection | undefined;
  let kv: KV | undefined;
  const cache = new Map<string, { at: number; catalog: Catalog | undefined }>();

  async function read(gateway: string): Promise<Catalog | undefined> {
    if (!nc) return undefined;
    try {
      kv ??= await new Kvm(nc).open(TIDEGATE_KV_BUCKET);
      const entry = await kv.get(catalogKey(gateway));
      return entry && entry.operation === "PUT" ? decodeCatalog(entry.value) : undefined;
    } catch {
      kv = undefined;
      return undefined;
    }
  }

  return {
    attach(connection: NatsConnection) {
      nc = connection;
    },
    async get(gateway: string): Promise<Catalog | undefined> {
      const hit = cache.get(gateway);
      // A gateway that has not sent its catalog yet is asked again soon; a known one every ttlMs.
      if (hit && now() - hit.at < (hit.catalog ? ttlMs : Math.min(ttlMs, 2000))) return hit.catalog;
      const catalog = await read(gateway);
      cache.set(gateway, { at: now(), catalog });
      return catalog;
    },
  };
}

/** `device/point` → name and unit, from one gateway's catalog. */
export function pointInfo(catalog: Catalog | undefined): Map<string, PointInfo> {
  const info = new Map<string, PointInfo>();
  for (const d of catalog?.devices ?? [])
    for (const p of d.points)
      info.set(`${d.id}/${p.id}`, {
        name: p.name,
        ...(p.unit ? { unit: p.unit } : {}),
        ...(p.decimals !== undefined ? { decimals: p.decimals } : {}),
        ...(p.writable ? { writable: true } : {}),
      });
  return info;
}
