import type { Logger } from "pino";
import type { AlertsStore } from "../rules/alerts-store.js";
import { createNotifier, type NotifierOptions } from "./notifier.js";
import type { NotifyTarget } from "./schema.js";
import { createDeliverers, type MqttPublish } from "./targets.js";

export type { NotifyEvent } from "./event.js";
export type { TargetStatus } from "./notifier.js";

/**
 * Sends every event the alerts store keeps (raised and cleared by the rules, acked by an operator
 * here or from the fleet) to the configured targets.
 */
export function startAlertNotifications(o: {
  gateway: string;
  targets: readonly NotifyTarget[];
  store: Pick<AlertsStore, "onEvents">;
  publish: MqttPublish;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** Retry waits (tests shorten them); default 2 s doubling to 30 s. */
  backoff?: NotifierOptions["backoff"];
}) {
  const notifier = createNotifier({
    targets: createDeliverers(o.targets, o.publish, o.env),
    log: o.log,
    ...(o.backoff ? { backoff: o.backoff } : {}),
  });
  if (o.targets.length > 0)
    o.store.onEvents((events) => notifier.notify(events.map((e) => ({ gateway: o.gateway, ...e }))));
  return notifier;
}
