import { createBackoff } from "@tidegate/node-kit";
import type { OpcuaProfile } from "@tidegate/profiles";
import type { Reading, SourceHealth } from "@tidegate/protocol";
import {
  AttributeIds,
  type ClientSession,
  type ClientSubscription,
  DataChangeFilter,
  DataChangeTrigger,
  DeadbandType,
  type NodeId,
  OPCUAClient,
  setErrorLogger,
  setWarningLogger,
  TimestampsToReturn,
} from "node-opcua-client";
import type { Logger } from "pino";
import { createHealth } from "../modbus/health.js";
import { BrowseError, browseNode } from "./browse.js";
import { clientOptionsOf, userIdentityOf } from "./client-options.js";
import type { OpcuaTransport } from "./config.js";
import { openCertificateManager } from "./pki.js";
import { createDedup, toReading } from "./readings.js";
import { asDataValueLike, type Binding, bindPoints } from "./session.js";

export interface OpcuaSourceOptions {
  device: { id: string; pollIntervalMs: number; timeoutMs: number; points?: string[] };
  transport: OpcuaTransport;
  profile: OpcuaProfile;
  /** Where the trust store and the agent's certificate live (beside the buffer). */
  stateDir: string;
  emit: (readings: Reading[]) => void;
  log: Logger;
  observeRead?: (device: string, seconds: number, ok: boolean) => void;
}

export interface OpcuaStats {
  connects: number;
  subscriptionsRecreated: number;
  dropped: Record<string, number>;
}

type Bound = { point: Binding["point"]; nodeId: NodeId };

/**
 * One OPC UA server as a source. The connection is the unit of recovery: when the channel, the
 * session or the subscription fails, everything is torn down and built again after a backoff
 * (no session transfer), so nothing half-restored can linger. A watchdog re-creates a subscription
 * that has sent neither data nor keep-alive for three keep-alive periods, since a server may keep
 * the session up while a subscription delivers nothing.
 */
export function createOpcuaSource(options: OpcuaSourceOptions) {
  const { device, transport, log } = options;
  // node-opcua prints its own lines on stdout, between the agent's JSON log lines; they go through
  // the agent's logger instead (one logger for the library: the last source's, all share a sink).
  const library = log.child({ lib: "node-opcua" });
  const line = (args: unknown[]) =>
    args
      .map((a) => (typeof a === "string" ? a : String(a)))
      .join(" ")
      .trim();
  setWarningLogger((...args: unknown[]) => library.debug(line(args)));
  setErrorLogger((...args: unknown[]) => library.warn(line(args)));
  const profile: OpcuaProfile = device.points
    ? { ...options.profile, points: options.profile.points.filter((p) => device.points?.includes(p.id)) }
    : options.profile;
  const health = createHealth(device.id);
  const dedup = createDedup();
  const backoff = createBackoff({ initialMs: 500, maxMs: 30_000 });
  const stats: OpcuaStats = { connects: 0, subscriptionsRecreated: 0, dropped: {} };
  let stopped = true;
  let generation = 0;
  let client: OPCUAClient | undefined;
  let session: ClientSession | undefined;
  let subscription: ClientSubscription | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let lastActivity = 0;
  let certificates: Awaited<ReturnType<typeof openCertificateManager>> | undefined;

  const emit = (readings: Reading[]) => {
    const fresh = readings.filter((r) => dedup.fresh(r));
    stats.dropped.duplicate = dedup.dropped();
    if (fresh.length > 0) options.emit(fresh);
  };

  /** Points the server cannot give: a bad reading each, so the operator sees why they stay empty. */
  const emitBad = (items: { point: Bound["point"]; reason: string }[]) =>
    emit(
      items.map(({ point, reason }) => ({
        ts: Date.now(),
        device: device.id,
        point: point.id,
        value: null,
        quality: "bad" as const,
        reason,
      })),
    );

  async function teardown() {
    clearInterval(watchdog);
    clearInterval(pollTimer);
    const c = client;
    const s = session;
    const cm = certificates;
    certificates = undefined;
    client = undefined;
    session = undefined;
    subscription = undefined;
    // A dead server must not hold a stop or a reconnect: close what can be closed, briefly.
    const quick = (p: Promise<unknown> | undefined) =>
      Promise.race([p?.catch(() => {}), new Promise((r) => setTimeout(r, 2000).unref())]);
    await quick(s?.close(true));
    await quick(c?.disconnect());
    await quick(cm?.dispose());
  }

  function fail(gen: number, reason: string) {
    if (gen !== generation || stopped) return;
    generation += 1;
    health.record(false, 0, reason, "connection");
    const delay = backoff.next();
    log.warn({ device: device.id, reason, retryMs: delay }, `opcua ${device.id}: ${reason}; reconnecting`);
    void teardown().then(() => {
      if (stopped) return;
      retryTimer = setTimeout(() => void connect(generation), delay);
    });
  }

  // One publish response holds many items' changes, each its own "changed" event: they are
  // gathered and emitted together once the response is handled, as one append to the buffer.
  let pending: Reading[] = [];
  function onValues(bound: Bound[], values: { index: number; dv: Parameters<typeof asDataValueLike>[0] }[]) {
    if (pending.length === 0)
      setImmediate(() => {
        const batch = pending;
        pending = [];
        health.record(true, 0);
        emit(batch);
      });
    for (const { index, dv } of values)
      pending.push(toReading(device.id, (bound[index] as Bound).point, asDataValueLike(dv)));
  }

  async function subscribe(gen: number, s: ClientSession, bound: Bound[]) {
    const sub = await s.createSubscription2({
      requestedPublishingInterval: transport.publishingIntervalMs,
      requestedMaxKeepAliveCount: transport.keepAliveCount,
      requestedLifetimeCount: transport.keepAliveCount * 6,
      maxNotificationsPerPublish: 0,
      publishingEnabled: true,
    });
    if (gen !== generation) {
      await sub.terminate().catch(() => {});
      return;
    }
    subscription = sub;
    lastActivity = Date.now();
    const alive = () => {
      lastActivity = Date.now();
    };
    sub.on("keepalive", alive);
    sub.on("raw_notification", alive);
    sub.on("internal_error", (err) => fail(gen, `subscription error: ${err.message}`));
    // A deadband applies to numbers only: numeric items and the others are two groups.
    const { deadband } = transport;
    const filter = deadband
      ? new DataChangeFilter({
          trigger: DataChangeTrigger.StatusValue,
          deadbandType: deadband.type === "absolute" ? DeadbandType.Absolute : DeadbandType.Percent,
          deadbandValue: deadband.value,
        })
      : undefined;
    const groups = filter
      ? [bound.filter((b) => b.point.type === "number"), bound.filter((b) => b.point.type !== "number")]
      : [bound];
    for (const [i, members] of groups.entries()) {
      if (members.length === 0) continue;
      const group = await sub.monitorItems(
        members.map((b) => ({ nodeId: b.nodeId, attributeId: AttributeIds.Value })),
        {
          samplingInterval: transport.samplingIntervalMs,
          queueSize: transport.queueSize,
          discardOldest: true,
          ...(filter && i === 0 ? { filter } : {}),
        },
        TimestampsToReturn.Both,
      );
      group.on("changed", (_item, dv, index) => {
        if (gen === generation && sub === subscription) onValues(members, [{ index, dv }]);
      });
      // An item the server refused (a percent deadband on a variable without EURange, a node
      // that went away) would stay silent: it is a bad reading with the server's reason instead.
      const refused = group.monitoredItems.flatMap((item, index) => {
        const code = item.result?.statusCode ?? item.statusCode;
        return code && !code.isGood() ? [{ point: (members[index] as Bound).point, reason: code.name }] : [];
      });
      if (refused.length > 0) {
        log.warn(
          { device: device.id, refused: refused.map((r) => `${r.point.id}: ${r.reason}`) },
          `opcua ${device.id}: the server refused ${refused.length} monitored items`,
        );
        emitBad(refused);
      }
    }
  }

  function startWatchdog(gen: number, s: ClientSession, bound: Bound[]) {
    const quietMs = 3 * transport.publishingIntervalMs * transport.keepAliveCount;
    watchdog = setInterval(
      () => {
        if (gen !== generation || !subscription || Date.now() - lastActivity < quietMs) return;
        const old = subscription;
        subscription = undefined;
        stats.subscriptionsRecreated += 1;
        health.record(false, 0, `subscription quiet for ${quietMs} ms; re-created`, "quiet-subscription");
        log.warn(
          { device: device.id, quietMs },
          `opcua ${device.id}: subscription went quiet; re-creating it`,
        );
        void old.terminate().catch(() => {});
        subscribe(gen, s, bound).catch((err: Error) =>
          fail(gen, `re-creating the subscription: ${err.message}`),
        );
      },
      Math.max(200, transport.publishingIntervalMs),
    );
    watchdog.unref();
  }

  function startPolling(gen: number, s: ClientSession, bound: Bound[]) {
    const nodes = bound.map((b) => ({ nodeId: b.nodeId, attributeId: AttributeIds.Value }));
    let busy = false;
    const poll = async () => {
      if (busy || gen !== generation) return;
      busy = true;
      const started = Date.now();
      try {
        const dvs = await s.read(nodes, 0);
        options.observeRead?.(device.id, (Date.now() - started) / 1000, true);
        onValues(
          bound,
          dvs.map((dv, index) => ({ index, dv })),
        );
      } catch (err) {
        options.observeRead?.(device.id, (Date.now() - started) / 1000, false);
        fail(gen, `read failed: ${(err as Error).message}`);
      } finally {
        busy = false;
      }
    };
    void poll();
    pollTimer = setInterval(() => void poll(), device.pollIntervalMs);
  }

  async function connect(gen: number) {
    if (stopped || gen !== generation) return;
    try {
      // A trust store opened afresh on every attempt sees a certificate trusted meanwhile by the CLI.
      const cm = await openCertificateManager(options.stateDir);
      certificates = cm;
      const c = OPCUAClient.create(clientOptionsOf(transport, cm, device.timeoutMs));
      client = c;
      c.on("connection_lost", () => fail(gen, "connection lost"));
      c.on("close", () => fail(gen, "connection closed"));
      await c.connect(transport.endpoint);
      const s = await c.createSession(userIdentityOf(transport.auth, `devices.${device.id}.transport.auth`));
      if (gen !== generation) return;
      session = s;
      s.on("session_closed", () => fail(gen, "session closed by the server"));
      s.on("keepalive_failure", () => fail(gen, "session keep-alive failed"));
      const bindings = await bindPoints(s, profile);
      const bound = bindings.filter((b): b is Bound => "nodeId" in b);
      // A point that cannot be bound is a bad reading once per connect, so the operator sees why.
      const unbound = bindings.filter((b): b is Extract<Binding, { error: string }> => "error" in b);
      if (unbound.length > 0) {
        emitBad(unbound.map((b) => ({ point: b.point, reason: b.error.split(":")[0] as string })));
        log.warn(
          { device: device.id, errors: unbound.map((b) => `${b.point.id}: ${b.error}`) },
          "opcua: unbound points",
        );
      }
      stats.connects += 1;
      backoff.reset();
      log.info(
        { device: device.id, endpoint: transport.endpoint, points: bound.length },
        `opcua ${device.id}: connected`,
      );
      if (bound.length === 0) return;
      if (transport.read === "poll") startPolling(gen, s, bound);
      else {
        await subscribe(gen, s, bound);
        startWatchdog(gen, s, bound);
      }
    } catch (err) {
      fail(gen, describeError(err as Error));
    }
  }

  return {
    id: device.id,
    start() {
      stopped = false;
      generation += 1;
      void connect(generation);
    },
    async stop() {
      stopped = true;
      generation += 1;
      clearTimeout(retryTimer);
      await teardown();
    },
    health: (): SourceHealth & { lastPollTs?: number } => health.snapshot(),
    /** The address space under `node` (default the Objects folder), through the running session. */
    async browse(node = "i=85") {
      if (!session) throw new BrowseError(`${device.id} is not connected to ${transport.endpoint} now`, 503);
      return browseNode(session, node);
    },
    stats: (): OpcuaStats => ({ ...stats, dropped: { ...stats.dropped } }),
  };
}
export type OpcuaSource = ReturnType<typeof createOpcuaSource>;

/** node-opcua's errors are long; the first line says what happened, and an untrusted server says what to do. */
function describeError(err: Error): string {
  const first = (err.message || String(err)).split("\n")[0] as string;
  if (/BadCertificate|certificate/i.test(err.message))
    return `${first} (if the server's certificate is new, list it with \`tidegate-agent opcua certs\` and trust it with \`tidegate-agent opcua trust <fingerprint>\`)`;
  return first;
}
