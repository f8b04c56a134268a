import type { AlertEventWire } from "@tidegate/protocol";
import type Database from "better-sqlite3";
import type { AlertRow } from "./types.js";

/** The alert events gateways report (raise, clear, acknowledge), and which alerts are active. */
export function createAlertEvents(db: Database.Database) {
  const insert = db.prepare(`
    INSERT OR IGNORE INTO alert_events (gateway, rule, device, state, at, point, severity, value, message, received_at)
    VALUES (@gateway, @rule, @device, @state, @at, @point, @severity, @value, @message, @receivedAt)`);
  // An alert is active when its newest raise or clear (by time; raise before clear at the same
  // instant) is "raised". An operator's acknowledgement after that raise marks it, without ending it.
  const active = db.prepare<[], AlertRow>(`
    SELECT gateway, rule, device, point, severity, state, at, value, message,
      (SELECT min(k.at) FROM alert_events k WHERE k.gateway = a.gateway AND k.rule = a.rule
        AND k.device = a.device AND k.state = 'acked' AND k.at >= a.at) AS ackedAt
    FROM alert_events a
    WHERE a.state != 'acked' AND NOT EXISTS (SELECT 1 FROM alert_events b WHERE b.gateway = a.gateway
      AND b.rule = a.rule AND b.device = a.device AND b.state != 'acked'
      AND (b.at > a.at OR (b.at = a.at AND b.state = 'cleared' AND a.state = 'raised')))
    ORDER BY at DESC`);
  const recent = db.prepare<[number], AlertRow>(
    "SELECT gateway, rule, device, point, severity, state, at, value, message FROM alert_events ORDER BY at DESC LIMIT ?",
  );
  return {
    /** Stores an alert event; a repeat (redelivery) changes nothing. Returns whether it was new. */
    insertAlert: (e: AlertEventWire, receivedAt = Date.now()) => insert.run({ ...e, receivedAt }).changes > 0,
    /** The newest event of every (gateway, rule, device), if it is "raised". */
    activeAlerts: (): AlertRow[] => active.all().filter((a) => a.state === "raised"),
    recentAlerts: (limit = 100): AlertRow[] => recent.all(limit),
  };
}

export type AlertEvents = ReturnType<typeof createAlertEvents>;
