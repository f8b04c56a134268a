import { createHash, timingSafeEqual } from "node:crypto";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import type { AedesPublishPacket, AuthenticateError, Client } from "aedes";
import type { Logger } from "pino";
import type { EmbeddedBrokerConfig, ResolvedBrokerTls, ResolvedUser } from "./config.js";
import { filterMatches } from "./topics.js";

/**
 * The MQTT broker on the gateway, for devices on the plant network. Every client logs in as a
 * configured user (or anonymously, if allowed) and may only publish/subscribe within its ACL. The
 * agent subscribes in-process (aedes.subscribe), so it needs no user and no loopback socket.
 */

export type RefusalKind = "auth" | "publish" | "subscribe" | "oversize";

/**
 * aedes buffers a packet whole before handing it on, and MQTT lets a packet declare up to 256 MB.
 * No device we map sends more than a few KiB, so a client announcing more than this is cut off
 * before its bytes pile up (payloads above MAX_PAYLOAD_BYTES but below this are dropped as too-large).
 */
export const MAX_PACKET_BYTES = 256 * 1024;

export interface EmbeddedBrokerOptions {
  config: EmbeddedBrokerConfig;
  /** The configured users with their passwords read (resolveUsers). */
  users: ResolvedUser[];
  /** Certificate and key read (resolveBrokerTls): the broker then speaks MQTT over TLS only. */
  tls?: ResolvedBrokerTls;
  log: Logger;
  /** Told of every refused login, publish and subscribe (counted by the source). */
  onRefused?: (kind: RefusalKind, who: string, detail: string) => void;
}

export interface EmbeddedBroker {
  readonly port: number;
  /** Delivers every message matching `filter`, whoever published it. */
  subscribe(filter: string, onMessage: (topic: string, payload: Buffer) => void): Promise<void>;
  /** Publishes as the broker itself (alert notifications): no client, so no ACL applies. */
  publish(topic: string, payload: string, options: { qos: 0 | 1 | 2; retain: boolean }): Promise<void>;
  connectedClients(): number;
  close(): Promise<void>;
}

interface Acl {
  name: string;
  publish: string[];
  subscribe: string[];
}

const digest = (s: string | Buffer) => createHash("sha256").update(s).digest();

/** Compares digests so the time taken does not depend on where the password differs, nor its length. */
function samePassword(given: Buffer | undefined, expected: Buffer): boolean {
  return timingSafeEqual(digest(given ?? Buffer.alloc(0)), expected);
}

function authError(code: 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: code }) as AuthenticateError;
}

/**
 * Follows MQTT framing (a type byte, a 1-4 byte remaining length, the body) over the bytes aedes
 * reads, and calls `tooBig` as soon as a header declares a packet over `max` or is malformed.
 * 'data' fires from inside aedes' own read(), so the check runs before the parser buffers the body.
 */
export function watchPacketSizes(socket: Socket, max: number, tooBig: (declared: number) => void): void {
  let phase: "header" | "length" | "body" = "header";
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  socket.on("data", (chunk: Buffer) => {
    for (let i = 0; i < chunk.length; i++) {
      if (phase === "header") {
        phase = "length";
        length = 0;
        multiplier = 1;
        lengthBytes = 0;
      } else if (phase === "length") {
        const byte = chunk[i] as number;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        lengthBytes += 1;
        if (byte & 0x80) {
          if (lengthBytes === 4) return tooBig(Number.POSITIVE_INFINITY);
          continue;
        }
        if (length > max) return tooBig(length);
        phase = length > 0 ? "body" : "header";
      } else {
        const n = Math.min(length, chunk.length - i);
        length -= n;
        i += n - 1;
        if (length === 0) phase = "header";
      }
    }
  });
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port }, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { config, log } = options;
  const refused = options.onRefused ?? (() => {});
  const users = new Map(options.users.map((u) => [u.username, { ...u, hash: digest(u.password) }]));
  // A user that does not exist still costs a digest compare, so timing does not tell which names exist.
  const decoy = digest("tidegate-no-such-user");
  const acls = new WeakMap<Client, Acl>();

  // Loaded here, not at start-up: an agent without an embedded broker does not carry it in memory.
  const { Aedes } = await import("aedes");
  const aedes = await Aedes.createBroker({
    // Devices wake, publish and sleep; a half-open socket must not hold a slot for long.
    connectTimeout: 10_000,
    drainTimeout: 30_000,
    heartbeatInterval: 60_000,
  });

  aedes.authenticate = (client, username, password, done) => {
    if (username === undefined || username === "") {
      if (!config.allowAnonymous) {
        refused("auth", client?.id ?? "?", "anonymous login not allowed");
        return done(authError(5, "anonymous clients are not allowed"), false);
      }
      acls.set(client, { name: "(anonymous)", ...config.anonymous });
      return done(null, true);
    }
    const user = users.get(username);
    const ok = samePassword(password, user?.hash ?? decoy) && user !== undefined;
    if (!ok || !user) {
      refused("auth", username, "wrong username or password");
      return done(authError(4, "bad username or password"), false);
    }
    acls.set(client, { name: user.username, publish: user.publish, subscribe: user.subscribe });
    done(null, true);
  };

  aedes.authorizePublish = (client, packet, done) => {
    if (packet.topic.startsWith("$SYS/")) return done(new Error("$SYS/ topics are reserved"));
    // client is null only for a will message of a session that is gone; it was authorized when set.
    if (client === null) return done(null);
    const acl = acls.get(client);
    if (acl?.publish.some((f) => filterMatches(f, packet.topic))) return done(null);
    refused("publish", acl?.name ?? client.id, packet.topic);
    // aedes closes the connection: MQTT 3.1.1 has no way to refuse a single publish.
    done(new Error(`${acl?.name ?? client.id} may not publish to ${packet.topic}`));
  };

  aedes.authorizeSubscribe = (client, sub, done) => {
    const acl = acls.get(client);
    if (acl?.subscribe.some((f) => filterMatches(f, sub.topic) || f === sub.topic)) return done(null, sub);
    refused("subscribe", acl?.name ?? client.id, sub.topic);
    // A failure code in the SUBACK; the connection stays, so a device that also subscribes still reports.
    done(null, null);
  };

  aedes.on("clientError", (client, err) => {
    log.debug({ client: client?.id, err: err.message }, "mqtt broker: client error");
  });
  aedes.on("connectionError", (client, err) => {
    log.debug({ client: client?.id, err: err.message }, "mqtt broker: connection error");
  });

  const onSocket = (socket: Socket) => {
    // A reset from a device must never become an unhandled 'error' event.
    socket.on("error", () => {});
    aedes.handle(socket);
    // After aedes' 'readable' listener: the socket stays paused and aedes keeps control of reading.
    watchPacketSizes(socket, MAX_PACKET_BYTES, (declared) => {
      refused("oversize", socket.remoteAddress ?? "?", `packet of ${declared} bytes`);
      socket.destroy();
    });
  };
  const tls = options.tls;
  const server: Server = tls
    ? createTlsServer(
        {
          cert: tls.cert,
          key: tls.key,
          ...(tls.ca ? { ca: tls.ca } : {}),
          requestCert: tls.requireClientCert,
          rejectUnauthorized: tls.requireClientCert,
        },
        onSocket,
      )
    : createServer(onSocket);
  // A device that fails the TLS handshake (wrong CA, no certificate) is refused, never a crash.
  server.on("tlsClientError", (err: Error, socket: Socket) =>
    refused("auth", socket.remoteAddress ?? "?", `TLS handshake failed: ${err.message}`),
  );
  server.on("error", (err) => log.error({ err }, "mqtt broker: server error"));
  let port: number;
  try {
    port = await listen(server, config.host, config.port);
  } catch (err) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    const e = err as NodeJS.ErrnoException;
    throw new Error(
      `mqtt.broker.embedded: cannot listen on ${config.host}:${config.port} (${e.code ?? e.message}); ` +
        "pick a free port or stop the other broker",
    );
  }
  log.info({ host: config.host, port, users: users.size, tls: Boolean(tls) }, "mqtt broker listening");

  const deliverers: { filter: string; fn: (p: AedesPublishPacket, cb: () => void) => void }[] = [];

  return {
    port,
    subscribe(filter, onMessage) {
      const fn = (packet: AedesPublishPacket, cb: () => void) => {
        try {
          const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
          onMessage(packet.topic, payload);
        } catch (err) {
          log.error({ err, topic: packet.topic }, "mqtt: message handler failed");
        } finally {
          cb();
        }
      };
      deliverers.push({ filter, fn });
      return new Promise((resolve) => aedes.subscribe(filter, fn, () => resolve()));
    },
    publish: (topic, payload, { qos, retain }) =>
      new Promise((resolve, reject) =>
        aedes.publish(
          { cmd: "publish", topic, payload: Buffer.from(payload), qos, retain, dup: false },
          (err) => (err ? reject(err) : resolve()),
        ),
      ),
    connectedClients: () => aedes.connectedClients,
    async close() {
      for (const d of deliverers.splice(0))
        await new Promise<void>((resolve) => aedes.unsubscribe(d.filter, d.fn, () => resolve()));
      // server.close waits for open sockets; aedes.close ends them, so both are started before awaiting.
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await serverClosed;
    },
  };
}
