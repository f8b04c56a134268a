import { existsSync } from "node:fs";
import { migrateSync, type SchemaSpec, type UpgradeOptions, upgradeDatabase } from "@tidegate/node-kit";
import Database from "better-sqlite3";
import type { AlertEvent } from "./engine.js";

export const alertsSchema: SchemaSpec = {
  name: "agent alerts",
  migrations: [
    {
      version: 1,
      description: "alert events, raised and cleared, with acknowledgements",
      up: `
        CREATE TABLE events (
          id INTEGER PRIMARY KEY,
          rule TEXT NOT NULL,
          device TEXT NOT NULL,
          point TEXT NOT NULL,
          severity TEXT NOT NULL,
          state TEXT NOT NULL,
          at INTEGER NOT NULL,
          value REAL,
          message TEXT NOT NULL,
          acked_at INTEGER,
          acked_by TEXT
        );
        CREATE INDEX events_by_alert ON events (rule, device, id);`,
    },
    {
      version: 2,
      description: "which events reached JetStream, so the alert uplink sends each once",
      up: `
        ALTER TABLE events ADD COLUMN sent INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX events_unsent ON events (sent, id);`,
    },
  ],
};

/** Events the store keeps: the rules' raise and clear, and operators' acknowledgements. */
export type StoredState = AlertEvent["state"] | "acked";
export type StoredEvent = Omit<AlertEvent, "state"> & { state: StoredState };

export interface ActiveAlert {
  rule: string;
  device: string;
  point: string;
  severity: AlertEvent["severity"];
  since: number;
  value: number | null;
  message: string;
  ackedAt: number | null;
}

/**
 * Alert events kept on the gateway (they survive restarts, and an operator on site sees them
 * while the uplink is down). An alert is active when its latest event for (rule, device) is
 * "raised".
 */
export function openAlertsStore(path: string) {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  // A few pages are in use at a time; better-sqlite3's default would let the cache grow to 16 MB.
  db.pragma("cache_size = -512");
  migrateSync(db, alertsSchema, path);
  const insert = db.prepare(
    "INSERT INTO events (rule, device, point, severity, state, at, value, message) VALUES (@rule, @device, @point, @severity, @state, @at, @value, @message)",
  );
  const active = db.prepare<[], Record<string, unknown>>(`
    SELECT e.* FROM events e
    JOIN (SELECT rule, device, max(id) AS id FROM events WHERE state != 'acked' GROUP BY rule, device) latest
      ON latest.id = e.id
    WHERE e.state = 'raised' ORDER BY e.at DESC`);
  const recent = db.prepare<[number], Record<string, unknown>>(
    "SELECT * FROM events ORDER BY id DESC LIMIT ?",
  );
  const ack = db.prepare(
    "UPDATE events SET acked_at = ?, acked_by = ? WHERE id = (SELECT max(id) FROM events WHERE rule = ? AND device = ?) AND state = 'raised'",
  );
  const raisedNow = db.prepare<[string, string], Record<string, unknown>>(
    "SELECT * FROM events WHERE id = (SELECT max(id) FROM events WHERE rule = ? AND device = ? AND state != 'acked') AND state = 'raised'",
  );
  const unsent = db.prepare<[number], Record<string, unknown>>(
    "SELECT * FROM events WHERE sent = 0 ORDER BY id LIMIT ?",
  );
  const markSent = db.prepare("UPDATE events SET sent = 1 WHERE id = ?");
  const toActive = (r: Record<string, unknown>): ActiveAlert => ({
    rule: r.rule as string,
    device: r.device as string,
    point: r.point as string,
    severity: r.severity as ActiveAlert["severity"],
    since: r.at as number,
    value: (r.value as number | null) ?? null,
    message: r.message as string,
    ackedAt: (r.acked_at as number | null) ?? null,
  });
  /** Told of every event once it is stored (alert notifications), wherever it came from. */
  const listeners: ((events: readonly StoredEvent[]) => void)[] = [];
  const tell = (events: readonly StoredEvent[]) => {
    for (const fn of listeners) fn(events);
  };
  const acknowledge = db.transaction(
    (rule: string, device: string, by: string, at: number): StoredEvent | undefined => {
      const raised = raisedNow.get(rule, device);
      if (!raised || raised.acked_at !== null) return undefined;
      ack.run(at, by, rule, device);
      const event: StoredEvent = {
        rule,
        device,
        point: raised.point as string,
        severity: raised.severity as AlertEvent["severity"],
        state: "acked",
        at,
        value: null,
        message: `acknowledged by ${by}`,
      };
      insert.run(event);
      return event;
    },
  );
  return {
    record(events: readonly AlertEvent[]) {
      if (events.length === 0) return;
      db.transaction(() => {
        for (const e of events) insert.run(e);
      })();
      tell(events);
    },
    onEvents: (fn: (events: readonly StoredEvent[]) => void) => void listeners.push(fn),
    active: (): ActiveAlert[] => active.all().map(toActive),
    recent: (limit = 50) =>
      recent.all(limit).map((r) => ({ ...toActive(r), state: r.state as StoredState, at: r.at as number })),
    /** Events not yet acknowledged by JetStream, oldest first. */
    unsent: (limit = 100) =>
      unsent.all(limit).map((r) => ({
        id: r.id as number,
        rule: r.rule as string,
        device: r.device as string,
        point: r.point as string,
        severity: r.severity as AlertEvent["severity"],
        state: r.state as StoredState,
        at: r.at as number,
        value: (r.value as number | null) ?? null,
        message: r.message as string,
      })),
    markSent: (id: number) => void markSent.run(id),
    /**
     * An operator saw it: the active alert stays until its condition clears. The acknowledgement
     * is also an event of its own, so it travels to the collector like raise and clear do.
     * Returns false when the alert is not raised now (or was acknowledged already).
     */
    acknowledge(rule: string, device: string, by: string, at: number = Date.now()): boolean {
      const event = acknowledge(rule, device, by, at);
      if (event) tell([event]);
      return event !== undefined;
    },
    close: () => db.close(),
  };
}
export type AlertsStore = ReturnType<typeof openAlertsStore>;

/** Brings an existing alerts file to the current schema before the agent opens it. */
export async function upgradeAlertsFile(path: string, options: UpgradeOptions): Promise<void> {
  if (path === ":memory:" || !existsSync(path)) return;
  const db = new Database(path);
  try {
    await upgradeDatabase(db, alertsSchema, path, options);
  } finally {
    db.close();
  }
}
