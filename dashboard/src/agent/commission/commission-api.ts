import type {
  CommissionAddAnswer,
  CommissionCandidate,
  CommissionFoundDevice,
  CommissionPreviewAnswer,
  CommissionScanAnswer,
  CommissionSerialSetting,
  OpcuaServerCertificate,
  OpcuaUserCertificateAnswer,
} from "@tidegate/protocol";
import { ApiError } from "../../api.js";
import { writeHeaders } from "../../auth/session.js";
import { t } from "../../i18n.js";
import type { BrowsedNode, NodePoint } from "./opcua-points.js";

/** The agent's commissioning routes (agent/src/http/commission-routes.ts). */

export type SerialSetting = CommissionSerialSetting;
export type ScanCandidate = CommissionCandidate;
export type FoundDevice = CommissionFoundDevice;
export type ScanState = CommissionScanAnswer;
export type ScanRequest =
  | { serial: string; unitIds?: { from: number; to: number }; pausePolling?: boolean }
  | { host: string; port: number; unitIds?: { from: number; to: number } };

export type Transport =
  | ({ type: "rtu"; port: string } & SerialSetting)
  | { type: "tcp"; host: string; port: number };
export interface DeviceDraft {
  id: string;
  profile: string;
  transport: Transport;
  unitId: number;
  pollIntervalMs: number;
  points?: string[];
}
export type PreviewAnswer = CommissionPreviewAnswer;

/** An OPC UA device picked in the address-space browser: its variables as its own nodes. */
export interface OpcuaDraft {
  id: string;
  profile: string;
  pollIntervalMs: number;
  transport: OpcuaTarget & { type: "opcua"; samplingIntervalMs: number };
  nodes: NodePoint[];
}
export interface OpcuaTarget {
  endpoint: string;
  securityMode: "None" | "Sign" | "SignAndEncrypt";
  securityPolicy: "Basic256Sha256" | "Aes128_Sha256_RsaOaep" | "Aes256_Sha256_RsaPss";
  auth:
    | { type: "anonymous" }
    | { type: "username"; username: string; password: string }
    | { type: "certificate"; cert: string; key: { file: string } };
}
export type ServerCertificate = OpcuaServerCertificate;
export type BrowseAnswer =
  | { ok: true; nodes: BrowsedNode[] }
  | { ok: false; error: string; certificate: ServerCertificate };

async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: writeHeaders(),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = (await res.json().catch(() => ({}))) as { error?: unknown };
  if (!res.ok) throw new ApiError(typeof answer.error === "string" ? answer.error : t.httpError(res.status));
  return answer as T;
}

export interface CsvError {
  row: number;
  column: string;
  message: string;
}
export type CsvAnswer =
  | { ok: true; dryRun: boolean; devices: string[]; version?: number }
  | { ok: false; error: string; errors: CsvError[] };

/** A CSV import's answer; its row errors are an answer, not a failure. */
async function sendCsv(csv: string, dryRun: boolean): Promise<CsvAnswer> {
  const res = await fetch(`api/v1/commission/devices.csv${dryRun ? "?dryRun=true" : ""}`, {
    method: "POST",
    headers: { ...writeHeaders(), "content-type": "text/csv" },
    body: csv,
  });
  const body = (await res.json().catch(() => ({}))) as {
    error?: string;
    errors?: CsvError[];
    devices?: string[];
    imported?: string[];
    version?: number;
  };
  if (res.ok)
    return {
      ok: true,
      dryRun,
      devices: body.imported ?? body.devices ?? [],
      ...(body.version !== undefined ? { version: body.version } : {}),
    };
  if (res.status === 400 && body.errors) return { ok: false, error: body.error ?? "", errors: body.errors };
  throw new ApiError(body.error ?? t.httpError(res.status));
}

/** A profile built on the page (agent/src/commission/profile/draft-profile.ts). */
export interface ProfileDraft {
  profile: { id: string; vendor: string; model: string; title: string; url: string; unitId?: number };
  table: Record<string, string>[];
}
export interface DisplayReading {
  point: string;
  raw: number[];
  display: string;
}
export type ProfileAnswer =
  | { ok: true; profile: string; yaml: string; file: string; dryRun: boolean }
  | { ok: false; error: string; issues: string[] };

/** Checks (dryRun) or saves a profile; a table or display that does not match is an answer, not a failure. */
async function sendProfile(
  draft: ProfileDraft,
  readings: DisplayReading[],
  dryRun: boolean,
): Promise<ProfileAnswer> {
  const res = await fetch(`api/v1/commission/profiles${dryRun ? "?dryRun=true" : ""}`, {
    method: "POST",
    headers: writeHeaders(),
    body: JSON.stringify({ ...draft, readings }),
  });
  const body = (await res.json().catch(() => ({}))) as {
    error?: string;
    issues?: string[];
    profile?: string;
    yaml?: string;
    file?: string;
  };
  if (res.ok)
    return { ok: true, profile: body.profile ?? "", yaml: body.yaml ?? "", file: body.file ?? "", dryRun };
  if (res.status === 400 || res.status === 409)
    return { ok: false, error: body.error ?? "", issues: body.issues ?? [body.error ?? ""] };
  throw new ApiError(body.error ?? t.httpError(res.status));
}

export const commissionApi = {
  saveProfile: sendProfile,
  /** A few polls read with a profile not saved yet. */
  previewDraft: (device: DeviceDraft, draft: ProfileDraft) =>
    send<PreviewAnswer>("POST", "api/v1/commission/preview", { device, draft, cycles: 1 }),
  importCsv: sendCsv,
  startScan: (req: ScanRequest) => send<ScanState>("POST", "api/v1/commission/scan", req),
  /** Undefined before the first scan. */
  scan: async (signal?: AbortSignal): Promise<ScanState | undefined> => {
    const res = await fetch("api/v1/commission/scan", { signal, headers: { accept: "application/json" } });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new ApiError(t.httpError(res.status));
    return (await res.json()) as ScanState;
  },
  cancelScan: () => send<{ cancelled: boolean }>("DELETE", "api/v1/commission/scan"),
  /** One level under `node`; an untrusted server certificate is an answer (to show), not a failure. */
  browseOpcua: async (target: OpcuaTarget, node?: string): Promise<BrowseAnswer> => {
    const res = await fetch("api/v1/commission/opcua/browse", {
      method: "POST",
      headers: writeHeaders(),
      body: JSON.stringify({ ...target, ...(node ? { node } : {}) }),
    });
    const body = (await res.json().catch(() => ({}))) as {
      error?: string;
      nodes?: BrowsedNode[];
      certificate?: ServerCertificate;
    };
    if (res.ok) return { ok: true, nodes: body.nodes ?? [] };
    if (res.status === 409 && body.certificate)
      return { ok: false, error: body.error ?? "", certificate: body.certificate };
    throw new ApiError(body.error ?? t.httpError(res.status));
  },
  /** Keeps a user certificate and its key on the gateway (checked there); answers where they are. */
  uploadUserCert: (upload: { name: string; cert: string; key: string }) =>
    send<OpcuaUserCertificateAnswer>("POST", "api/v1/commission/opcua/user-certs", upload),
  trustOpcua: (fingerprint: string) =>
    send<{ fingerprint: string; status: string }>("POST", "api/v1/opcua/trust", { fingerprint }),
  untrustOpcua: (fingerprint: string) =>
    send<{ fingerprint: string; status: string }>("POST", "api/v1/opcua/untrust", { fingerprint }),
  opcuaCerts: () =>
    send<{ certificates: (Partial<ServerCertificate> & { fingerprint: string; status: string })[] }>(
      "GET",
      "api/v1/opcua/certs",
    ),
  preview: (device: DeviceDraft | OpcuaDraft) =>
    send<PreviewAnswer>("POST", "api/v1/commission/preview", { device, cycles: 3 }),
  add: (device: DeviceDraft | OpcuaDraft) =>
    send<CommissionAddAnswer>("POST", "api/v1/commission/devices", {
      device,
    }),
};
