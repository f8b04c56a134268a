import type Database from "better-sqlite3";

/**
 * Which seqs of each gateway epoch are stored, as disjoint runs `first..last`: what makes ingest
 * idempotent on (gateway, epoch, seq) whether the readings live in chunks or in InfluxDB. A batch
 * is a contiguous range; a run grows as batches arrive and adjacent runs merge, so live ingest keeps one row per epoch and a hole (an outage being
 * backfilled) costs one more row until it fills.
 */
export function createSeqRuns(db: Database.Database) {
  const touching = db.prepare<[string, number, number, number], { first_seq: number; last_seq: number }>(
    "SELECT first_seq, last_seq FROM seq_runs WHERE gateway = ? AND epoch = ? AND first_seq <= ? AND last_seq >= ? ORDER BY first_seq",
  );
  const remove = db.prepare("DELETE FROM seq_runs WHERE gateway = ? AND epoch = ? AND first_seq = ?");
  const insert = db.prepare("INSERT INTO seq_runs (gateway, epoch, first_seq, last_seq) VALUES (?, ?, ?, ?)");

  /**
   * Marks first..last stored and returns the parts of it that were not stored before, in order:
   * what a batch really adds. Call inside a transaction.
   */
  function claim(gateway: string, epoch: number, first: number, last: number): [number, number][] {
    // Runs that overlap the range or touch its ends merge with it into one.
    const runs = touching.all(gateway, epoch, last + 1, first - 1);
    const fresh: [number, number][] = [];
    let next = first;
    let lo = first;
    let hi = last;
    for (const r of runs) {
      if (r.first_seq > next && next <= last) fresh.push([next, Math.min(last, r.first_seq - 1)]);
      next = Math.max(next, r.last_seq + 1);
      lo = Math.min(lo, r.first_seq);
      hi = Math.max(hi, r.last_seq);
      remove.run(gateway, epoch, r.first_seq);
    }
    if (next <= last) fresh.push([next, last]);
    insert.run(gateway, epoch, lo, hi);
    return fresh;
  }

  return {
    claim,
    /** How many of first..last are stored already (redelivery, an agent retry). */
    covered(gateway: string, epoch: number, first: number, last: number): number {
      return touching
        .all(gateway, epoch, last, first)
        .reduce((n, r) => n + Math.min(last, r.last_seq) - Math.max(first, r.first_seq) + 1, 0);
    },
    /** Marks first..last stored; returns how many of its seqs were not stored before. */
    add(gateway: string, epoch: number, first: number, last: number): number {
      return claim(gateway, epoch, first, last).reduce((n, [f, l]) => n + l - f + 1, 0);
    },
  };
}
