import type Database from "better-sqlite3";
import { decodeChunk } from "./chunk-codec.js";
import { decodeHead } from "./head-codec.js";

export interface StoredReading {
  seq: number;
  device: string;
  point: string;
  ts: number;
}

/**
 * Every reading of `gateway` a store file holds, decoded from its chunks and its head, for checks
 * that count what was stored from the readings themselves (fault tests, the fleet ledger). Works
 * on a file a collector has open (a read-only connection) or left behind after a kill.
 */
export function eachStoredReading(
  db: Database.Database,
  gateway: string,
  visit: (r: StoredReading) => void,
): void {
  const chunks = db.prepare<[string], { device: string; point: string; first_seq: number; data: Buffer }>(
    `SELECT s.device, s.point, c.first_seq, c.data FROM chunks c JOIN series_ids s ON s.id = c.series
     WHERE s.gateway = ?`,
  );
  for (const c of chunks.iterate(gateway))
    for (const r of decodeChunk(c.data, c.first_seq))
      visit({ seq: r.seq, device: c.device, point: c.point, ts: r.ts });
  const names = new Map<number, { device: string; point: string }>();
  const nameOf = db.prepare<[number], { device: string; point: string }>(
    "SELECT device, point FROM series_ids WHERE id = ?",
  );
  const head = db.prepare<[string], { data: Buffer }>("SELECT data FROM head WHERE gateway = ?");
  for (const row of head.iterate(gateway))
    for (const g of decodeHead(row.data)) {
      let name = names.get(g.series);
      if (!name) {
        name = nameOf.get(g.series) ?? { device: "?", point: "?" };
        names.set(g.series, name);
      }
      for (const r of g.readings) visit({ seq: r.seq, device: name.device, point: name.point, ts: r.ts });
    }
}

export function storedReadings(db: Database.Database, gateway: string): StoredReading[] {
  const out: StoredReading[] = [];
  eachStoredReading(db, gateway, (r) => out.push(r));
  return out;
}

/** How many readings the file holds for `gateway`, or for all gateways, in chunks and head. */
export function storedReadingCount(db: Database.Database, gateway?: string): number {
  if (gateway === undefined)
    return (
      (db.prepare("SELECT coalesce(sum(n), 0) FROM chunks").pluck().get() as number) +
      (db.prepare("SELECT coalesce(sum(n), 0) FROM head").pluck().get() as number)
    );
  const inChunks = db
    .prepare(
      "SELECT coalesce(sum(c.n), 0) FROM chunks c JOIN series_ids s ON s.id = c.series WHERE s.gateway = ?",
    )
    .pluck()
    .get(gateway) as number;
  const inHead = db
    .prepare("SELECT coalesce(sum(n), 0) FROM head WHERE gateway = ?")
    .pluck()
    .get(gateway) as number;
  return inChunks + inHead;
}
