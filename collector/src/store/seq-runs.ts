import type Database from "better-sqlite3";

/**
 * Which seqs of each gateway epoch are stored, as disjoint runs `first..last`: what makes ingest
 * idempotent on (gateway, epoch, seq) whether the readings live in chunks or in InfluxDB. A batch is a contiguous range; a run grows as batches arrive
 * and adjacent runs merge, so live ingest keeps one row per epoch and a hole (an outage being
 * backfilled) costs one more row until it fills.
 */
export function createSeqRuns(db: Database.Database) {
  const touching = db.prepare<[string, number, number, number], { first_seq: number; last_seq: number }>(
    "SELECT first_seq, last_seq FROM seq_runs WHERE gateway = ? AND epoch = ? AND first_seq <= ? AND last_seq >= ? ORDER BY first_seq",
  );
  const remove = db.prepare("DELETE FROM seq_runs WHERE gateway = ? AND epoch = ? AND first_seq = ?");
  const insert = db.prepare("INSERT INTO seq_runs (gateway, epoch, first_seq, last_seq) VALUES (?, ?, ?, ?)");

  return {
    /** How many of first..last are stored already (redelivery, an agent retry). */
    covered(gateway: string, epoch: number, first: number, last: number): number {
      return touching
        .all(gateway, epoch, last, first)
        .reduce((n, r) => n + Math.min(last, r.last_seq) - Math.max(first, r.first_seq) + 1, 0);
    },
    /** The parts of first..last not stored yet, in order: what a batch really adds. */
    missing(gateway: string, epoch: number, first: number, last: number): [number, number][] {
      const gaps: [number, number][] = [];
      let next = first;
      for (const r of touching.all(gateway, epoch, last, first)) {
        if (r.first_seq > next) gaps.push([next, r.first_seq - 1]);
        next = Math.max(next, r.last_seq + 1);
      }
      if (next <= last) gaps.push([next, last]);
      return gaps;
    },
    /** Marks first..last stored; returns how many of its seqs were not stored before. Call inside a transaction. */
    add(gateway: string, epoch: number, first: number, last: number): number {
      // Runs that overlap the range or touch its ends merge with it into one.
      const runs = touching.all(gateway, epoch, last + 1, first - 1);
      let covered = 0;
      let lo = first;
      let hi = last;
      for (const r of runs) {
        covered += Math.max(0, Math.min(last, r.last_seq) - Math.max(first, r.first_seq) + 1);
        lo = Math.min(lo, r.first_seq);
        hi = Math.max(hi, r.last_seq);
        remove.run(gateway, epoch, r.first_seq);
      }
      insert.run(gateway, epoch, lo, hi);
      return last - first + 1 - covered;
    },
  };
}
