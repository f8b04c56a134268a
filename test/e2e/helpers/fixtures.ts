import { applyMigrations, migrateSync, planMigrations, type SchemaSpec } from "@tidegate/node-kit";
import Database from "better-sqlite3";
import { bufferSchema } from "../../../agent/src/buffer/schema.js";
import { storeSchema } from "../../../collector/src/store/schema.js";

// Files as an earlier release left them, built from that release's migration list (the steps
// before `version`), not from stored binary blobs: the fixture stays right as steps are added.

const upTo = (spec: SchemaSpec, version: number): SchemaSpec => ({
  ...spec,
  migrations: spec.migrations.slice(0, version),
});

export const fixtureTs = (seq: number, start: number) => start + seq * 1000;
const voltage = (seq: number) => 220 + (seq % 20);

/**
 * An agent buffer at `version` holding unsent readings of meter-1/voltage: seqs up to `ackedSeq`
 * were acknowledged (and pruned) before the upgrade, `ackedSeq + 1 … lastSeq` wait to be sent.
 */
export function writeOldBuffer(
  path: string,
  version: number,
  o: { lastSeq: number; ackedSeq: number; start: number },
): void {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    migrateSync(db, upTo(bufferSchema, version), path);
    const insert = db.prepare(
      "INSERT INTO readings (seq, ts, device, point, value, quality, reason) VALUES (?, ?, 'meter-1', 'voltage', ?, 0, NULL)",
    );
    db.transaction(() => {
      for (let seq = o.ackedSeq + 1; seq <= o.lastSeq; seq++)
        insert.run(seq, fixtureTs(seq, o.start), JSON.stringify(voltage(seq)));
      db.prepare("UPDATE meta SET value = ? WHERE key = 'last_seq'").run(o.lastSeq);
      db.prepare("UPDATE meta SET value = ? WHERE key = 'acked_seq'").run(o.ackedSeq);
      if (version >= 2) db.prepare("INSERT INTO commits (seq, at) VALUES (?, ?)").run(o.lastSeq, Date.now());
      // The store's history is under epoch 0: a file that held these seqs when it reached version 3
      // kept epoch 0 (step 3), while this one was made empty and drew a random one.
      if (version >= 3) db.prepare("UPDATE meta SET value = 0 WHERE key = 'epoch'").run();
    })();
  } finally {
    db.close();
  }
}

/** The store step that moved readings into chunks (schema.ts). */
const CHUNKS_STEP = 10;

/** A collector store at `version` holding the history a gateway sent before the upgrade: seqs 1 … storedSeq. */
export function writeOldStore(
  path: string,
  version: number,
  o: { gateway: string; storedSeq: number; start: number },
): void {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    // Readings moved into chunks at step 10; a later version gets its history the way a real
    // store did: written in the row layout, then carried over by the steps themselves.
    const layout = Math.min(version, CHUNKS_STEP - 1);
    migrateSync(db, upTo(storeSchema, layout), path);
    // From version 3 on, readings are keyed by (gateway, epoch, seq); agents before epochs are epoch 0.
    const epochs = layout >= 3;
    const insert = db.prepare(
      `INSERT INTO readings (gateway, seq, device, point, ts, num, text, quality, reason${epochs ? ", epoch" : ""})
       VALUES (?, ?, 'meter-1', 'voltage', ?, ?, NULL, 0, NULL${epochs ? ", 0" : ""})`,
    );
    db.transaction(() => {
      for (let seq = 1; seq <= o.storedSeq; seq++)
        insert.run(o.gateway, seq, fixtureTs(seq, o.start), voltage(seq));
      const lastTs = fixtureTs(o.storedSeq, o.start);
      db.prepare(
        "INSERT INTO series (gateway, device, point, last_ts, last_value) VALUES (?, 'meter-1', 'voltage', ?, ?)",
      ).run(o.gateway, lastTs, JSON.stringify(voltage(o.storedSeq)));
      db.prepare("INSERT INTO gateways (id, last_seen) VALUES (?, ?)").run(o.gateway, lastTs);
      if (epochs)
        db.prepare(
          "INSERT INTO gateway_epochs (gateway, epoch, max_seq, stored, last_at) VALUES (?, 0, ?, ?, ?)",
        ).run(o.gateway, o.storedSeq, o.storedSeq, lastTs);
      else if (layout >= 2)
        db.prepare("UPDATE gateways SET max_seq = ?, stored = ? WHERE id = ?").run(
          o.storedSeq,
          o.storedSeq,
          o.gateway,
        );
    })();
    // A fixture needs no copy aside: run the steps as the upgrade would, without its backup.
    if (version > layout) applyMigrations(db, planMigrations(db, upTo(storeSchema, version), path));
  } finally {
    db.close();
  }
}

export const fixtureVoltage = voltage;
