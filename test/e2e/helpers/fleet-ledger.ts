import Database from "better-sqlite3";
import { eachStoredReading } from "../../../collector/src/store/stored-readings.js";

export interface FleetLedger {
  gateways: number;
  committed: number;
  stored: number;
  /** Seqs a gateway committed that the store does not hold. */
  lost: number;
  /** Rows beyond the first with the same gateway and seq. */
  duplicated: number;
  /** Stored seqs past what the gateway says it committed. */
  beyond: number;
  /** The first few gateways that are off, for failure messages. */
  off: string[];
}

/**
 * Counts, from the readings the collector's SQLite file holds (decoded from its chunks and head, not from the
 * collector's own counters), what each gateway committed against what was stored: a seq stored
 * twice shows up as a duplicate, a seq missing as lost. One bitmap per gateway, so millions of
 * readings count in a few seconds.
 */
export function fleetLedger(dbPath: string, committed: ReadonlyMap<string, number>): FleetLedger {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  const ledger: FleetLedger = {
    gateways: committed.size,
    committed: 0,
    stored: 0,
    lost: 0,
    duplicated: 0,
    beyond: 0,
    off: [],
  };
  try {
    for (const [gateway, last] of committed) {
      const seen = new Uint8Array(last + 1);
      let stored = 0;
      let duplicated = 0;
      let beyond = 0;
      eachStoredReading(db, gateway, (r) => {
        stored += 1;
        if (r.seq > last) beyond += 1;
        else if (seen[r.seq]) duplicated += 1;
        else seen[r.seq] = 1;
      });
      const lost = last - (stored - duplicated - beyond);
      ledger.committed += last;
      ledger.stored += stored;
      ledger.lost += lost;
      ledger.duplicated += duplicated;
      ledger.beyond += beyond;
      if ((lost || duplicated || beyond) && ledger.off.length < 5)
        ledger.off.push(
          `${gateway}: committed ${last}, stored ${stored}, lost ${lost}, duplicated ${duplicated}`,
        );
    }
  } finally {
    db.close();
  }
  return ledger;
}
