import { randomBytes } from "node:crypto";
import { createBackoff } from "@tidegate/node-kit";
import type { IClientOptions, MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { ResolvedExternal } from "./config.js";

/**
 * The agent's connection to a broker it does not run (the site's mosquitto, a cloud broker).
 * mqtt.js's own reconnect uses a fixed period; ours backs off (0.5 s doubling to 30 s, with jitter)
 * so a fleet of gateways does not hammer a broker that is restarting, and keeps the reason for
 * operators: health shows why the devices behind this broker are silent.
 */

export interface ExternalStatus {
  connected: boolean;
  /** Why the last attempt failed (ECONNREFUSED, "Not authorized", a TLS error). */
  lastError?: string;
  /** When connected or disconnected last changed (ms since epoch). */
  since: number;
  /** Failed attempts since the last success. */
  attempts: number;
  /** When the next attempt is due, while disconnected. */
  retryAt?: number;
}

export interface ExternalConnection {
  /** Resolves at the first success or failure: a broker that is down must not stop the agent starting. */
  ready: Promise<void>;
  status(): ExternalStatus;
  /** Publishes while connected; rejects at once while not (the caller retries). */
  publish(
    topic: string,
    payload: string | Uint8Array,
    options: { qos: 0 | 1 | 2; retain: boolean },
  ): Promise<void>;
  close(): Promise<void>;
}

export interface ExternalOptions {
  broker: ResolvedExternal;
  /** Subscribed again on every connect (clean sessions: the broker forgets them). */
  filters: string[];
  onMessage: (topic: string, payload: Buffer) => void;
  log: Logger;
  backoff?: { initialMs?: number; maxMs?: number };
  /** The last will for the next CONNECT, asked before every attempt (a Sparkplug NDEATH carries a new bdSeq each time). */
  will?: () => { topic: string; payload: Uint8Array; qos: 0 | 1 | 2; retain: boolean };
  /** After each successful connect, once the subscriptions are asked for. */
  onConnect?: () => void;
}

/** OpenSSL's errors carry file names and codes around the one phrase an operator needs. */
export function describeError(err: Error): string {
  const ssl = /SSL routines:[^:]*:([^:]+):/.exec(err.message);
  if (ssl) return `TLS: ${ssl[1]}`;
  return err.message.trim().split("\n")[0] as string;
}

/** The url without user info, for logs and health. */
function safeUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//");
}

export async function connectExternal(options: ExternalOptions): Promise<ExternalConnection> {
  const { broker, filters, onMessage, log } = options;
  const url = safeUrl(broker.url);
  const backoff = createBackoff({ initialMs: 500, maxMs: 30_000, ...options.backoff });
  const state: ExternalStatus = { connected: false, since: Date.now(), attempts: 0 };
  let closing = false;
  let timer: NodeJS.Timeout | undefined;
  // A publish written into a socket that is closing waits for a 'drain' that never comes: each one
  // in flight is failed when the connection closes, so a caller's send queue does not stall forever.
  const inFlight = new Set<(err: Error) => void>();
  let settle: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    settle = resolve;
  });

  const clientOptions: IClientOptions = {
    protocolVersion: 4,
    clean: true,
    clientId: broker.clientId ?? `tidegate-${randomBytes(6).toString("hex")}`,
    keepalive: broker.keepaliveS,
    connectTimeout: 10_000,
    // We reconnect ourselves, with backoff (see above).
    reconnectPeriod: 0,
    // Callers hold what could not be sent and send it again after the reconnect (a Sparkplug edge
    // node re-births first); mqtt.js's own offline queue would send it again after that, stale.
    queueQoSZero: false,
    resubscribe: false,
    rejectUnauthorized: broker.rejectUnauthorized,
  };
  if (broker.username !== undefined) clientOptions.username = broker.username;
  if (broker.password !== undefined) clientOptions.password = broker.password;
  if (broker.ca) clientOptions.ca = broker.ca;
  if (broker.cert) clientOptions.cert = broker.cert;
  if (broker.key) clientOptions.key = broker.key;
  const nextWill = () => {
    const w = options.will?.();
    return w && { ...w, payload: Buffer.from(w.payload) };
  };
  const firstWill = nextWill();
  if (firstWill) clientOptions.will = firstWill;

  // Loaded here, not at start-up: an agent without an external broker does not carry it in memory.
  const { connect } = await import("mqtt");
  const client: MqttClient = connect(broker.url, clientOptions);

  client.on("connect", () => {
    if (!state.connected) log.info({ url, afterAttempts: state.attempts }, "mqtt: connected to broker");
    backoff.reset();
    Object.assign(state, { connected: true, since: Date.now(), attempts: 0 });
    delete state.lastError;
    delete state.retryAt;
    settle();
    if (filters.length === 0) {
      options.onConnect?.();
      return;
    }
    client.subscribe(filters, { qos: 1 }, (err, granted) => {
      if (err) {
        state.lastError = `subscribe failed: ${describeError(err)}`;
        log.warn({ url, err: err.message }, "mqtt: subscribe failed");
        return;
      }
      const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
      if (refused.length > 0) {
        state.lastError = `broker refused subscriptions: ${refused.join(", ")}; allow them in the broker's ACL for this user`;
        log.warn({ url, refused }, "mqtt: broker refused subscriptions");
      }
    });
    options.onConnect?.();
  });

  client.on("message", (topic, payload) => {
    try {
      onMessage(topic, payload);
    } catch (err) {
      // A bug in handling one message must not take the connection down.
      log.error({ err, topic }, "mqtt: message handler failed");
    }
  });

  client.on("error", (err) => {
    state.lastError = describeError(err);
  });

  client.on("close", () => {
    for (const fail of inFlight)
      fail(new Error(`broker ${url} connection closed before the publish was sent`));
    inFlight.clear();
    if (closing) return;
    if (state.connected) {
      log.warn({ url, err: state.lastError }, "mqtt: lost the broker; reconnecting");
      Object.assign(state, { connected: false, since: Date.now() });
      state.lastError ??= "connection closed by the broker";
    }
    state.attempts += 1;
    settle();
    if (timer) return;
    const delay = backoff.next();
    state.retryAt = Date.now() + delay;
    if (state.attempts === 1 || state.attempts % 10 === 0)
      log.warn(
        { url, err: state.lastError, attempts: state.attempts, retryInMs: delay },
        "mqtt: broker unreachable",
      );
    timer = setTimeout(() => {
      timer = undefined;
      if (closing) return;
      const will = nextWill();
      if (will) client.options.will = will;
      client.reconnect();
    }, delay);
  });

  return {
    ready,
    status: () => ({ ...state }),
    async publish(topic, payload, options) {
      if (!state.connected)
        throw new Error(`broker ${url} not connected: ${state.lastError ?? "connecting"}`);
      const body =
        typeof payload === "string"
          ? payload
          : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
      await new Promise<void>((resolve, reject) => {
        inFlight.add(reject);
        client
          .publishAsync(topic, body, options)
          .then(() => resolve(), reject)
          .finally(() => inFlight.delete(reject));
      });
    },
    async close() {
      closing = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      settle();
      await client.endAsync(true);
    },
  };
}

/** One line for health: why devices behind this broker are silent. */
export function describeOutage(url: string, s: ExternalStatus, now = Date.now()): string {
  const retry =
    s.retryAt === undefined ? "" : `; retrying in ${Math.max(0, Math.ceil((s.retryAt - now) / 1000))} s`;
  return `broker ${safeUrl(url)} unreachable: ${s.lastError ?? "not connected yet"}${retry}`;
}
