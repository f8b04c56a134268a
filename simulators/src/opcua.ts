import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import type { OpcuaPoint, OpcuaProfile, PointSpec } from "@tidegate/profiles";
import { OPCUACertificateManager } from "node-opcua-certificate-manager";
import { SecurityPolicy } from "node-opcua-secure-channel";
import { OPCUAServer } from "node-opcua-server";
import { MessageSecurityMode } from "node-opcua-service-secure-channel";
import { type StatusCode, StatusCodes } from "node-opcua-status-code";
import { DataType, Variant, VariantArrayType } from "node-opcua-variant";
import { createGenerator, type ValueGenerator } from "./generators.js";

export interface OpcuaSimulatorOptions {
  profile: OpcuaProfile;
  /** 0 (the default) picks a free port, kept across restarts; read it from `simulator.port`. */
  port?: number;
  /** Where the server keeps its certificate and trust list (kept across restarts, so its fingerprint stays). */
  pkiDir: string;
  /** How often the values change; default 1000. */
  tickMs?: number;
  seed?: number;
  /** Users that may sign in; with none, only anonymous sessions (unless allowAnonymous is false). */
  users?: { username: string; password: string }[];
  /** Default: true when no users or user certificates are given. */
  allowAnonymous?: boolean;
  /**
   * PEM user certificates that may sign in (X.509 user tokens); with none, any user certificate
   * does. A server a plant runs knows its users' certificates; this is how a test makes one.
   */
  userCertificates?: string[];
}

export interface OpcuaSimulator {
  readonly port: number;
  readonly endpointUrl: string;
  readonly profile: OpcuaProfile;
  /** SHA-1 of the server's application certificate (DER), lowercase hex: what the agent shows. */
  readonly fingerprint: string;
  /** How many times the server was restarted; each restart moves the profile's namespace index by one. */
  restarts(): number;
  /** Pins a point's value until set again (tests). */
  set(pointId: string, value: number | boolean | string): void;
  /** Fault injection: the point's node answers with this StatusCode (e.g. BadSensorFailure); null lifts it. */
  setStatus(pointId: string, code: keyof typeof StatusCodes | null): void;
  /** Fault injection: stops and starts the server on the same port, as a PLC rebooting. */
  restart(): Promise<void>;
  /** Fault injection: closes every session from the server's side (with their subscriptions). */
  dropSessions(): void;
  /** Sessions clients created since the simulator started (across restarts), and how many are open now. */
  sessionCounts(): { created: number; open: number };
  /**
   * Fault injection: every subscription stops publishing, keep-alives included, while sessions and
   * the connection stay up: the "subscription silently stops delivering" of peer gateways.
   */
  silenceSubscriptions(): void;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function derOfPem(pem: string): Buffer {
  const body = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem)?.[1];
  if (!body) throw new Error("a user certificate must be PEM (-----BEGIN CERTIFICATE-----)");
  return Buffer.from(body.replace(/\s+/g, ""), "base64");
}

const DATA_TYPES: Record<OpcuaPoint["type"], DataType> = {
  number: DataType.Double,
  boolean: DataType.Boolean,
  string: DataType.String,
  datetime: DataType.DateTime,
};

/** The generators take a Modbus-shaped point; an OPC UA point maps onto it by its value type. */
function asPointSpec(point: OpcuaPoint): PointSpec {
  const type = point.type === "boolean" ? "bool" : point.type === "string" ? "string" : "float64";
  return {
    ...point,
    register: { table: "input", address: 0, type, order: "ABCD" },
    access: "read",
  } as PointSpec;
}

/** One variable on the server; several points may read elements of one array variable. */
interface SimNode {
  key: string;
  namespace: string;
  points: OpcuaPoint[];
  type: OpcuaPoint["type"];
  length: number | undefined;
}

function nodesOf(profile: OpcuaProfile): SimNode[] {
  const nodes = new Map<string, SimNode>();
  for (const point of profile.points) {
    const namespace = point.namespace ?? profile.namespace;
    const key = `${namespace}|${point.nodeId ?? point.browsePath}`;
    const node = nodes.get(key) ?? { key, namespace, points: [], type: point.type, length: undefined };
    node.points.push(point);
    if (point.index !== undefined) node.length = Math.max(node.length ?? 0, point.index + 1);
    nodes.set(key, node);
  }
  return [...nodes.values()];
}

export async function startOpcuaSimulator(options: OpcuaSimulatorOptions): Promise<OpcuaSimulator> {
  const { profile } = options;
  const port = options.port || (await freePort());
  const tickMs = options.tickMs ?? 1000;
  const users = options.users ?? [];
  const allowAnonymous =
    options.allowAnonymous ?? (users.length === 0 && (options.userCertificates ?? []).length === 0);
  const generators = new Map<string, ValueGenerator>();
  const pinned = new Map<string, number | boolean | string>();
  const statuses = new Map<string, StatusCode>();
  for (const point of profile.points)
    if (point.type !== "datetime")
      generators.set(
        point.id,
        createGenerator(asPointSpec(point), options.seed === undefined ? {} : { seed: options.seed }),
      );
  const nodes = nodesOf(profile);
  const started = Date.now();
  let restarts = 0;
  /** When each node's current value was first served, so a restarted server reports the same time. */
  const lastChange = new Map<string, Date>();
  mkdirSync(options.pkiDir, { recursive: true });

  const pointValue = (point: OpcuaPoint, tS: number): number | boolean | string | Date => {
    const pin = pinned.get(point.id);
    if (point.type === "datetime")
      return new Date(typeof pin === "number" ? pin : Math.floor(Date.now() / 10_000) * 10_000);
    if (pin !== undefined) return pin;
    const v = (generators.get(point.id) as ValueGenerator).next(tS);
    // The agent computes raw * scale + offset; serve the raw value.
    return typeof v === "number" ? (v - point.offset) / point.scale : v;
  };

  function variantOf(node: SimNode, tS: number): Variant {
    const dataType = DATA_TYPES[node.type];
    if (node.length === undefined)
      return new Variant({ dataType, value: pointValue(node.points[0] as OpcuaPoint, tS) });
    const value = new Array(node.length).fill(
      node.type === "number" ? 0 : node.type === "boolean" ? false : "",
    );
    for (const p of node.points) if (p.index !== undefined) value[p.index] = pointValue(p, tS);
    return new Variant({ dataType, arrayType: VariantArrayType.Array, value });
  }

  async function startServer() {
    const certificateManager = new OPCUACertificateManager({
      rootFolder: join(options.pkiDir, "pki"),
      // The simulator trusts every client: the trust flow under test is the agent's.
      automaticallyAcceptUnknownCertificate: true,
    });
    await certificateManager.initialize();
    // Without userCertificates any user certificate signs in (the simulator checks that the agent
    // sends one, not whose it is); with them only those, in a trust list of their own so that
    // certificates an earlier open run accepted are not among them.
    const known = options.userCertificates ?? [];
    const userCertificateManager = new OPCUACertificateManager({
      rootFolder: join(options.pkiDir, known.length > 0 ? "user-pki-known" : "user-pki"),
      automaticallyAcceptUnknownCertificate: known.length === 0,
    });
    await userCertificateManager.initialize();
    for (const pem of known) await userCertificateManager.trustCertificate(derOfPem(pem));
    const server = new OPCUAServer({
      port,
      hostname: "127.0.0.1",
      alternateHostname: ["127.0.0.1"],
      serverCertificateManager: certificateManager,
      userCertificateManager,
      securityModes: [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
      securityPolicies: [
        SecurityPolicy.None,
        SecurityPolicy.Basic256Sha256,
        SecurityPolicy.Aes128_Sha256_RsaOaep,
        SecurityPolicy.Aes256_Sha256_RsaPss,
      ],
      allowAnonymous,
      userManager: {
        isValidUser: (username: string, password: string) =>
          users.some((u) => u.username === username && u.password === password),
      },
      buildInfo: { productName: `tidegate-sim ${profile.id}`, manufacturerName: "Tidegate" },
      serverInfo: { applicationUri: `urn:tidegate:sim:${profile.id}` },
    });
    await server.initialize();
    server.on("create_session", () => {
      sessionsCreated += 1;
    });
    const addressSpace = server.engine.addressSpace;
    if (!addressSpace) throw new Error("the OPC UA server has no address space after initialize");
    // Padding namespaces move the profile's index on every restart, as a server that loads its
    // models in another order would: an agent that kept the old index would read the wrong node.
    for (let i = 0; i < restarts; i++) addressSpace.registerNamespace(`urn:tidegate:sim:padding-${i}`);
    const namespaces = new Map<string, ReturnType<typeof addressSpace.registerNamespace>>();
    const ns = (uri: string) => {
      const found = namespaces.get(uri) ?? addressSpace.registerNamespace(uri);
      namespaces.set(uri, found);
      return found;
    };
    const objects = addressSpace.rootFolder.objects;
    const tags = ns(profile.namespace).addObject({ organizedBy: objects, browseName: "Tags" });
    const folders = new Map<string, ReturnType<ReturnType<typeof ns>["addObject"]>>();
    const variables = new Map<string, ReturnType<ReturnType<typeof ns>["addVariable"]>>();
    for (const node of nodes) {
      const point = node.points[0] as OpcuaPoint;
      const namespace = ns(node.namespace);
      const dataType = DATA_TYPES[node.type];
      const common = {
        dataType,
        valueRank: node.length === undefined ? -1 : 1,
        ...(node.length === undefined ? {} : { arrayDimensions: [node.length] }),
        minimumSamplingInterval: 50,
      };
      // A scalar number with min and max is an AnalogItem with an EURange, as PLCs expose
      // measurements: a client's percent deadband is a share of that range.
      const range =
        node.type === "number" &&
        node.length === undefined &&
        point.min !== undefined &&
        point.max !== undefined
          ? {
              low: (point.min - point.offset) / point.scale,
              high: (point.max - point.offset) / point.scale,
            }
          : undefined;
      const add = (options: Parameters<typeof namespace.addVariable>[0]) =>
        range
          ? (
              namespace as unknown as {
                addAnalogDataItem(o: object): ReturnType<typeof namespace.addVariable>;
              }
            ).addAnalogDataItem({ ...options, dataType: "Double", engineeringUnitsRange: range })
          : namespace.addVariable(options);
      if (point.nodeId) {
        const name = point.nodeId.slice(2).split(".").pop() as string;
        variables.set(
          node.key,
          add({
            componentOf: tags,
            browseName: name,
            nodeId: `ns=${namespace.index};${point.nodeId}`,
            ...common,
          }),
        );
        continue;
      }
      const names = (point.browsePath as string).split("/");
      let parent = objects as ReturnType<typeof namespace.addObject>;
      names.slice(0, -1).forEach((name, i) => {
        const path = `${node.namespace}|${names.slice(0, i + 1).join("/")}`;
        const folder =
          folders.get(path) ??
          namespace.addObject({ [i === 0 ? "organizedBy" : "componentOf"]: parent, browseName: name });
        folders.set(path, folder);
        parent = folder;
      });
      variables.set(node.key, add({ componentOf: parent, browseName: names.at(-1) as string, ...common }));
    }
    // As a PLC does, the source timestamp moves only when the value or its status changes: an
    // unchanged value served again after a restart carries the time it was taken.
    const served = new Map<string, string>();
    const tick = () => {
      const tS = (Date.now() - started) / 1000;
      for (const node of nodes) {
        const variable = variables.get(node.key);
        const status =
          node.points.map((p) => statuses.get(p.id)).find((s) => s !== undefined) ?? StatusCodes.Good;
        const variant = variantOf(node, tS);
        const key = `${status.value}|${JSON.stringify(variant.value)}`;
        if (served.get(node.key) === key) continue;
        served.set(node.key, key);
        const at = lastChange.get(`${node.key}|${key}`) ?? new Date();
        for (const k of lastChange.keys()) if (k.startsWith(`${node.key}|`)) lastChange.delete(k);
        lastChange.set(`${node.key}|${key}`, at);
        variable?.setValueFromSource(variant, status, at);
      }
    };
    tick();
    const timer = setInterval(tick, tickMs);
    await server.start();
    return { server, timer, certificate: server.getCertificate() };
  }

  let sessionsCreated = 0;
  let running = await startServer();
  const fingerprint = createHash("sha1").update(running.certificate).digest("hex");
  const stop = async () => {
    clearInterval(running.timer);
    await running.server.shutdown(0);
  };
  const sessions = () => running.server.engine.getSessions();

  return {
    port,
    endpointUrl: `opc.tcp://127.0.0.1:${port}`,
    profile,
    fingerprint,
    restarts: () => restarts,
    set(pointId, value) {
      if (!profile.points.some((p) => p.id === pointId))
        throw new Error(`${profile.id} has no point '${pointId}'`);
      pinned.set(pointId, value);
    },
    setStatus(pointId, code) {
      if (!profile.points.some((p) => p.id === pointId))
        throw new Error(`${profile.id} has no point '${pointId}'`);
      if (code === null) statuses.delete(pointId);
      else statuses.set(pointId, StatusCodes[code] as StatusCode);
    },
    async restart() {
      await stop();
      restarts += 1;
      running = await startServer();
    },
    dropSessions() {
      for (const s of sessions())
        running.server.engine.closeSession(s.authenticationToken, true, "Terminated");
    },
    sessionCounts: () => ({ created: sessionsCreated, open: sessions().length }),
    silenceSubscriptions() {
      for (const s of sessions())
        for (const sub of s.publishEngine.subscriptions)
          (sub as unknown as { _stop_timer(): void })._stop_timer();
    },
    close: stop,
  };
}
