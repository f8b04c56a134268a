import type { Heartbeat, SourceHealth } from "./heartbeat.js";
import type { ReadingValue } from "./reading.js";
import type { ReleaseManifest } from "./release.js";

/**
 * What the agent's and the collector's /api/v1 routes answer, as the dashboard reads it: one
 * declaration both sides type against, so a field a route stops sending fails the route's
 * typecheck, and a field dropped here fails the dashboard's wherever it is still read. These are
 * the fields a client may rely on; a route may send more.
 */

export type Severity = "info" | "warning" | "critical";

/** GET /api/v1/info (both programs, no sign-in). */
export type InfoAnswer =
  | { role: "agent"; gateway: string; version: string }
  | { role: "collector"; version: string };

/** GET /api/v1/branding (both programs, no sign-in): the white-label name, colours, logo and footer. */
export interface BrandingAnswer {
  productName: string;
  /** Relative to the page, like every API path; absent: no logo. */
  logoUrl?: string;
  colors?: { primary?: string; accent?: string };
  footer?: { text: string; url: string };
}

// ---- Administration (both programs, admin role) ----

/** GET /api/v1/tokens: a token as listed, never with its secret. */
export interface TokenEntry {
  id: string;
  name: string;
  role: "viewer" | "operator" | "admin";
  createdAt: number;
  createdBy: string | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
  /** After this instant the token is refused; null: it never expires. */
  expiresAt: number | null;
}

/** GET /api/v1/audit: one entry of the audit log. */
export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  detail: string | null;
  ip: string | null;
  ok: boolean;
}

// ---- The agent ----

export type DeviceStatusName = SourceHealth["status"];
export interface DeviceStatus {
  id: string;
  profile: string;
  status: DeviceStatusName;
  lastError?: string;
  lastLatencyMs?: number;
  successRate: number;
  lastPollTs?: number;
}

/** Readings dropped by the agent's buffer, by reason ("buffer-full", "max-age", "buffer-full-rejected"). */
export type DropCounts = Record<string, number>;

/** An alert the agent's edge rules hold raised now. */
export interface ActiveAlert {
  rule: string;
  device: string;
  point: string;
  severity: Severity;
  since: number;
  value: number | null;
  message: string;
  ackedAt: number | null;
}

/** The agent as a Sparkplug B edge node (beside the JetStream uplink). */
export interface SparkplugNorthStatus {
  connected: boolean;
  /** The bdSeq of the current (or next) MQTT connection, 0–255. */
  bdSeq: number;
  lastError?: string;
  /** Messages and payload bytes published. */
  messages: number;
  bytes: number;
  /** Readings held for historical DDATA while the broker is away. */
  historyQueued: number;
  /** Held readings dropped because `historyMax` was reached, oldest first. */
  historyDropped: number;
  /** NCMD and DCMD payloads that could not be read. */
  commandsDropped: number;
  /** DCMD writes done, and refused (not writable, out of range, unknown metric, writes off). */
  writes: number;
  writesRefused: number;
}

/** GET /api/v1/status on the agent (and the remote `status` command). */
export interface AgentStatus {
  gateway: string;
  version: string;
  uptimeS: number;
  uplink: {
    connected: boolean;
    lastError?: string;
    lastAckSeq: number;
    batchesSent: number;
    /** Draining an outage's backlog (oldest first) while fresh readings go out live. */
    backfilling: boolean;
    /** Batch wire versions: what this agent sends, what the collector reads; `mismatch` says why sending is held. */
    wire?: {
      sends: number;
      collector: { min: number; max: number; version: string } | null;
      mismatch?: string;
    };
  };
  /** The Sparkplug B edge node, when `sparkplug:` is configured. */
  sparkplug?: SparkplugNorthStatus;
  /** Last seq committed to the buffer; every seq up to `acked` is acknowledged or dropped. */
  seq: { committed: number; acked: number };
  buffer: {
    backlog: number;
    oldestUnsentAgeMs: number | null;
    lastSeq: number;
    /** Size of the buffer file in use, in bytes. */
    bytes: number;
    dropped: DropCounts;
    droppedRanges: [number, number][];
  };
  /** Conditions an operator must look at (disk full, corrupt buffer moved aside, wire mismatch). */
  alarms: { code: string; message: string; since: number }[];
  devices: DeviceStatus[];
  /** Lines and messages dropped by serial and MQTT inputs, by input and reason. */
  inputs: { dropped: Record<string, Record<string, number>> };
  /** The edge rules' alerts: those raised now, the latest events, and how notifications fare. */
  alerts?: { active: ActiveAlert[]; recent: unknown[]; notify: unknown[] };
}

/** GET /api/v1/latest on the agent: `{ readings }`, each named from its device profile. */
export interface LatestReading {
  device: string;
  point: string;
  name: string;
  unit?: string;
  /** Digits after the point worth showing, when the profile's scale or decimals tells. */
  decimals?: number;
  ts: number;
  value: ReadingValue | null;
  quality: "good" | "bad" | "uncertain";
  reason?: string;
}

// ---- The collector ----

/** The collector's completeness accounting of one gateway's seqs. */
export interface SeqAccounting {
  /** Highest seq received. */
  max: number;
  stored: number;
  /** Seqs at or below `max` the agent reported dropped. */
  dropped: number;
  /** Seqs at or below `max` neither stored nor reported dropped: in flight during a backfill, or lost. */
  missing: number;
}

/** One gateway of GET /api/v1/gateways. */
export interface GatewayEntry {
  id: string;
  /** From the collector's sites file. */
  site?: string;
  firstSeen: number | null;
  lastSeen: number | null;
  online: boolean;
  version?: string;
  backlog?: number;
  oldestUnsentAgeMs?: number | null;
  uplinkConnected?: boolean;
  /** Each device's health, from the latest heartbeat. */
  sources?: Heartbeat["sources"];
  dropped?: DropCounts;
  seq: SeqAccounting;
  /** The batch wire version of the gateway's latest batch, and the one this collector writes. */
  wire?: { version: number; current: number };
  /** The gateway's clock minus the collector's when its heartbeat arrived. */
  clockOffsetMs?: number;
  /** The offset is beyond the collector's tolerance (clockSkewMs). */
  clockSkewed?: boolean;
  /** The gateway's clock stepped between two heartbeats (the latest such jump in the last 24 h). */
  clockJump?: { at: number; ms: number };
  /** Conditions an operator must look at on the gateway (disk full, corrupt buffer moved aside). */
  alarms?: Heartbeat["alarms"];
  /** Alerts the gateway's edge rules hold raised now (from its heartbeat). */
  activeAlerts?: Heartbeat["activeAlerts"];
  /** The gateway's latest software upgrade (from its heartbeat). */
  upgrade?: Heartbeat["upgrade"];
}

/** GET /api/v1/gateways: a page of the matching gateways. */
export interface GatewaysAnswer {
  gateways: GatewayEntry[];
  /** Offline gateways among all that match (not only this page). */
  offline: number;
  total: number;
  offset: number;
  limit: number;
}

/** Gateways by status: online and offline split them; alerting and backlogged overlap both. */
export interface StatusCounts {
  gateways: number;
  online: number;
  offline: number;
  alerting: number;
  backlogged: number;
}

/**
 * GET /api/v1/fleet: the counts overall and by site; every site of the collector's sites file
 * (in its order), then gateways in no site under `site: null`.
 */
export interface FleetCounts {
  total: StatusCounts;
  sites: (StatusCounts & { site: string | null })[];
}

/** One series of GET /api/v1/points?gateway=… (`{ points }`). */
export interface PointEntry {
  gateway: string;
  device: string;
  point: string;
  lastTs: number;
  lastValue: ReadingValue | null;
  name?: string;
  /** Shown on the chart's axis when the collector knows it. */
  unit?: string;
  decimals?: number;
  /** A read-write setting (from the catalog), which the first chart skips for a measurement. */
  writable?: boolean;
}

/** GET /api/v1/series with repeated `series=`: every series on one time axis, nulls for gaps. */
export interface SeriesAnswer {
  from: number;
  to: number;
  /** The collector's bucket width in ms, or "raw" when these are the readings themselves. */
  step: number | "raw";
  ts: number[];
  series: {
    gateway: string;
    device: string;
    point: string;
    /** The average per bucket (or the readings, when raw). */
    values: (number | null)[];
    /** With agg=minmax and buckets: the band around `values`. */
    min?: (number | null)[];
    max?: (number | null)[];
  }[];
}

/** An alert event the collector holds (GET /api/v1/alerts: `{ active, recent }`). */
export interface AlertEntry {
  gateway: string;
  rule: string;
  device: string;
  point: string;
  severity: string;
  state: "raised" | "cleared" | "acked";
  at: number;
  value: number | null;
  message: string;
  /** When an operator acknowledged it (on the gateway or from the fleet); null: not yet. */
  ackedAt?: number | null;
}

export interface AlertsAnswer {
  active: AlertEntry[];
  recent: AlertEntry[];
}

// ---- The agent's commissioning routes ----

/** A serial line setting a device answered at. */
export interface CommissionSerialSetting {
  baudRate: number;
  parity: "none" | "even" | "odd";
  dataBits: 7 | 8;
  stopBits: 1 | 2;
}
/** A profile that may fit a device found, with the evidence and the values the device answered. */
export interface CommissionCandidate {
  profile: string;
  score: number;
  evidence: { kind: string; weight: number; text: string }[];
  values: { id: string; name: string; unit?: string; value: ReadingValue }[];
}
export interface CommissionFoundDevice {
  unitId: number;
  /** "9600 8E1", or "tcp". */
  setting: string;
  serial?: CommissionSerialSetting;
  /** Best first, once identified. */
  candidates?: CommissionCandidate[];
}
/** GET and POST /api/v1/commission/scan (operator): the current or last scan. */
export interface CommissionScanAnswer {
  id: number;
  state: "running" | "done" | "cancelled" | "failed";
  target: string;
  startedAt: number;
  finishedAt?: number;
  progress: {
    settingsTotal: number;
    settingsDone: number;
    current?: string;
    idsTried: number;
    idsTotal: number;
    found: CommissionFoundDevice[];
    noise: Record<string, number>;
    etaMs: number;
    /** Polling on the scanned line is paused now (another speed is being swept). */
    pollingPaused: boolean;
  };
  skipped: string[];
  error?: string;
}
/** POST /api/v1/commission/preview (operator): a candidate device read a few times, nothing saved. */
export interface CommissionPreviewAnswer {
  device: string;
  profile: string;
  unitId: number;
  line: string;
  /** Read through the bus of a configured device on the same line. */
  shared: boolean;
  cycles: {
    at: string;
    points: {
      id: string;
      name: string;
      unit?: string;
      value: string;
      /** The registers (or bits) read, as hex words; none for OPC UA, which reads values. */
      words?: string;
      /** A value of two or more registers in every byte/word order (the decode assistant). */
      orders?: { order: string; value: string }[];
    }[];
    failures: { block: string; reason: string; points: string[] }[];
  }[];
}
/** POST /api/v1/commission/opcua/browse (operator): one node under the browsed one. */
export interface OpcuaBrowsedNode {
  nodeId: string;
  browseName: string;
  displayName: string;
  nodeClass: string;
  /** Variables only. */
  dataType?: string;
  accessLevel?: { read: boolean; write: boolean };
  value?: unknown;
  statusCode?: string;
  /** The namespace URI of the node, so a point can name it the way profiles do. */
  namespaceUri?: string;
  /** The namespace URI of its browse name: a browse path names each step by it. */
  browseNamespaceUri?: string;
}
/** An OPC UA server certificate as the technician checks it against the PLC's own display (409 of a browse, the certs list). */
export interface OpcuaServerCertificate {
  subject: string;
  issuer: string;
  fingerprint: string;
  validFrom: string;
  validTo: string;
}
/**
 * POST /api/v1/commission/opcua/user-certs (operator): an uploaded OPC UA user certificate and key,
 * kept on the gateway under `name`; `cert` and `key` are the files' absolute paths.
 */
export interface OpcuaUserCertificateAnswer extends OpcuaServerCertificate {
  name: string;
  cert: string;
  key: string;
}
/** POST /api/v1/commission/devices (operator): the config version that added the device. */
export interface CommissionAddAnswer {
  version: number;
  device: string;
  devices: string[];
}

/** GET /api/v1/releases: the agent releases in the collector's bucket, newest upload first. */
export interface ReleasesAnswer {
  releases: ReleaseManifest[];
}
