import { resolveSecret } from "../config/secrets.js";
import { expandTopic, type NotifyEvent, targetNames, wants } from "./event.js";
import type { Deliverer } from "./notifier.js";
import type { NotifyTarget } from "./schema.js";
import { postEvent } from "./webhook.js";

/** Publishes on the gateway's MQTT broker; rejects while there is none running or connected. */
export type MqttPublish = (
  topic: string,
  payload: string,
  options: { qos: 0 | 1 | 2; retain: boolean },
) => Promise<void>;

/**
 * The configured targets, ready to send. Header secrets are read here, once at start, so a
 * missing one stops the agent with its config path rather than failing every delivery.
 */
export function createDeliverers(
  targets: readonly NotifyTarget[],
  publish: MqttPublish,
  env: NodeJS.ProcessEnv = process.env,
): Deliverer[] {
  const names = targetNames(targets);
  return targets.map((t, i): Deliverer => {
    const name = names[i] as string;
    const filter = (e: NotifyEvent) => wants(t, e);
    if (t.type === "mqtt")
      return {
        name,
        type: "mqtt",
        wants: filter,
        send: (e) => publish(expandTopic(t.topic, e), JSON.stringify(e), { qos: t.qos, retain: t.retain }),
      };
    const headers = Object.fromEntries(
      Object.entries(t.headers ?? {}).map(([h, ref]) => [
        h,
        resolveSecret(ref, `alerts.notify.${i}.headers.${h}`, env),
      ]),
    );
    const w = { url: t.url, headers, timeoutMs: t.timeoutMs };
    return { name, type: "webhook", wants: filter, send: (e) => postEvent(w, e) };
  });
}
