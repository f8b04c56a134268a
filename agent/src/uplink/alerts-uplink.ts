import { jetstream } from "@nats-io/jetstream";
import { alertMsgId, encodeAlertEvent, subjects } from "@tidegate/protocol";
import type { Logger } from "pino";
import type { AlertsStore } from "../rules/alerts-store.js";
import type { Uplink } from "./uplink.js";

/**
 * Sends alert events on their own stream, oldest first, each once (marked sent after its PubAck),
 * on the uplink's connection but outside its telemetry lanes: an alert never waits behind a
 * backlog of readings. Unsent events survive restarts in alerts.db.
 */
export function startAlertsUplink(o: {
  gateway: string;
  store: AlertsStore;
  uplink: Uplink;
  log: Logger;
  everyMs?: number;
}) {
  let busy = false;
  let warned = false;
  const send = async () => {
    const nc = o.uplink.connection();
    if (busy || !nc) return;
    busy = true;
    try {
      const js = jetstream(nc, { timeout: 5000 });
      for (const e of o.store.unsent(50)) {
        const wire = { v: 1 as const, gateway: o.gateway, ...e };
        delete (wire as { id?: number }).id;
        await js.publish(subjects.alerts(o.gateway), encodeAlertEvent(wire), { msgID: alertMsgId(wire) });
        o.store.markSent(e.id);
      }
      warned = false;
    } catch (err) {
      // No alerts stream yet (no collector has started) or the link dropped: try again later.
      if (!warned) o.log.warn({ err: (err as Error).message }, "alert events not sent yet; retrying");
      warned = true;
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void send(), o.everyMs ?? 1000);
  return { stop: () => clearInterval(timer), sendNow: send };
}
