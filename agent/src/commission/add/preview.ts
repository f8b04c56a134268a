import { modbusProfiles, type Profile } from "@tidegate/profiles";
import { type CommissionPreviewAnswer, TidegateError } from "@tidegate/protocol";
import type { Logger } from "pino";
import { z } from "zod";
import { type DeviceConfig, deviceSchema } from "../../config/schema.js";
import { probeDevice } from "../../probe/probe-device.js";
import type { SourcesLifecycle } from "../../sources/lifecycle.js";
import { busKey, createBus, type ModbusBus } from "../../sources/modbus/bus.js";
import { planReads } from "../../sources/modbus/coalesce.js";
import { DraftProfileError, draftProfileSchema, draftToProfile } from "../profile/draft-profile.js";
import { opcuaPreviewAnswer, opcuaProfileFor, type ReadOpcuaPoints } from "./opcua-preview.js";

/** A candidate device as the commissioning page sends it: a `devices:` entry, validated by the config schema. */
export const candidateSchema = z
  .object({
    device: deviceSchema,
    /** How many polls to show before saving (preview only). */
    cycles: z.number().int().min(1).max(10).default(3),
    /** Add only: how long the new device may take to answer before the change is rolled back. */
    timeoutMs: z.number().int().min(1000).max(120_000).default(20_000),
    /** Preview only: a profile not saved yet (the commissioning page's register table), named by device.profile. */
    draft: draftProfileSchema.optional(),
  })
  .strict();
export type Candidate = z.infer<typeof candidateSchema>;

export const CANDIDATE_HELP =
  "the body must be JSON: { device: { id, profile, transport: { type: tcp, host, port } | { type: rtu, port, baudRate, parity, … } | { type: opcua, endpoint, securityMode?, … }, unitId?, pollIntervalMs?, points?, nodes? (OPC UA) }, cycles? (1–10), timeoutMs? } — the device as a devices: entry of the config";

/** A candidate the agent cannot read as asked: the caller's mistake, in words (HTTP 400). */
export class CandidateError extends TidegateError {
  override name = "CandidateError";
  readonly code = "commission.candidate";
}

export type PreviewAnswer = CommissionPreviewAnswer;
type PreviewCycle = PreviewAnswer["cycles"][number];

/** The whole preview took too long (HTTP 504): a line held by a scan, or a device that keeps the bus waiting. */
export class PreviewTimeoutError extends TidegateError {
  override name = "PreviewTimeoutError";
  readonly code = "commission.preview-timeout";
}

type Lifecycle = Pick<SourcesLifecycle, "loaded" | "modbusTarget">;

/** Pauses between preview polls: the device's interval, but a preview should not keep the page waiting. */
const MAX_PREVIEW_GAP_MS = 2000;

/**
 * Reads a candidate device a few times with the chosen profile, unit id and points, as its poller
 * would, without saving anything. A line configured devices already use is shared through their
 * bus (its queue, never a second open); a serial line's settings must then be the bus's.
 */
export function createPreview(
  lifecycle: Lifecycle,
  log: Logger,
  o: { deadlineMs?: number; readOpcua?: ReadOpcuaPoints } = {},
) {
  function draftProfile(candidate: Candidate): Profile | undefined {
    const { draft, device } = candidate;
    if (!draft) return undefined;
    if (draft.profile.id !== device.profile)
      throw new CandidateError(
        `device.profile: the draft is ${draft.profile.id}; name it as the device's profile (found ${device.profile})`,
      );
    try {
      return draftToProfile(draft).profile;
    } catch (err) {
      if (err instanceof DraftProfileError) throw new CandidateError(`draft: ${err.message}`);
      throw err;
    }
  }

  function profileFor(device: DeviceConfig, draft: Profile | undefined): Profile {
    const all = modbusProfiles(lifecycle.loaded().library.all());
    const profile = draft ?? all.find((p) => p.id === device.profile);
    if (!profile)
      throw new CandidateError(
        `device.profile: no Modbus profile '${device.profile}'; known: ${all
          .map((p) => p.id)
          .sort()
          .join(", ")}`,
      );
    if (!device.points) return profile;
    const ids = new Set(profile.points.map((p) => p.id));
    const unknown = device.points.filter((p) => !ids.has(p));
    if (unknown.length > 0)
      throw new CandidateError(
        `device.points: ${profile.id} has no point ${unknown.map((p) => `'${p}'`).join(", ")}; it has: ${[...ids].join(", ")}`,
      );
    const chosen = new Set(device.points);
    return { ...profile, points: profile.points.filter((p) => chosen.has(p.id)) };
  }

  /** The bus of a configured device on the same line, if any. */
  function sharedBus(device: DeviceConfig): ModbusBus | undefined {
    const t = device.transport;
    if (t.type === "serial" || t.type === "opcua") return undefined;
    for (const d of lifecycle.loaded().config.devices) {
      const other = d.transport;
      if (other.type === "serial" || other.type === "opcua" || busKey(other) !== busKey(t)) continue;
      if (other.type === "rtu" && t.type === "rtu")
        for (const key of ["baudRate", "parity", "dataBits", "stopBits"] as const)
          if (other[key] !== t[key])
            throw new CandidateError(
              `device.transport.${key}: ${t.port} is the line of device ${d.id} at ${other[key]}; devices on one serial port use the same ${key} (found ${t[key]})`,
            );
      const target = lifecycle.modbusTarget(d.id);
      if (target) return target.bus;
    }
    return undefined;
  }

  async function preview(candidate: Candidate): Promise<PreviewAnswer> {
    const { device } = candidate;
    const t = device.transport;
    if (t.type === "opcua") return previewOpcua({ ...device, transport: t }, candidate.cycles);
    if (t.type === "serial")
      throw new CandidateError(
        `device.transport.type: the preview reads Modbus and OPC UA devices (tcp, rtu, rtu-over-tcp, opcua), not ${t.type}`,
      );
    const profile = profileFor(device, draftProfile(candidate));
    const unitId = device.unitId ?? profile.defaults.unitId;
    const shared = sharedBus(device);
    const bus = shared ?? createBus(t, log);
    const gapMs = Math.min(device.pollIntervalMs, MAX_PREVIEW_GAP_MS);
    const blocks = planReads(profile.points).length;
    // Every block may take its timeout twice (a retry), plus polls queued ahead on a shared line.
    const deadlineMs =
      o.deadlineMs ??
      Math.min(60_000, 5000 + candidate.cycles * (gapMs + device.timeoutMs * 2 * (blocks + 1)));
    let late = false;
    const cycles: PreviewCycle[] = [];
    const reading = (async () => {
      for (let i = 0; i < candidate.cycles && !late; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, gapMs));
        const result = await probeDevice(bus, profile, unitId, device.timeoutMs);
        cycles.push({
          at: new Date().toISOString(),
          points: result.points.map((p) => ({
            id: p.id,
            name: p.name,
            value: p.value,
            ...(p.unit ? { unit: p.unit } : {}),
            words: p.words,
            ...(p.orders ? { orders: p.orders.map((x) => ({ order: x.order, value: x.value })) } : {}),
          })),
          failures: result.failures,
        });
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        late = true;
        reject(
          new PreviewTimeoutError(
            `no complete preview from ${bus.label}, unit ${unitId}, within ${(deadlineMs / 1000).toFixed(1)} s: the line may be held by a scan, or the device is not answering; check the address and unit id`,
          ),
        );
      }, deadlineMs);
    });
    try {
      await Promise.race([reading, deadline]);
    } finally {
      clearTimeout(timer);
      // The line finishes what it queued on its own; an own bus closes once it has.
      if (!shared) void reading.catch(() => {}).finally(() => bus.close());
    }
    return { device: device.id, profile: profile.id, unitId, line: bus.label, shared: !!shared, cycles };
  }

  async function previewOpcua(device: DeviceConfig & { transport: { type: "opcua" } }, cycles: number) {
    const profile = opcuaProfileFor(device, lifecycle.loaded().library.all());
    if ("error" in profile) throw new CandidateError(profile.error);
    if (!o.readOpcua)
      throw new CandidateError("device.transport.type: this agent cannot preview OPC UA devices");
    const gapMs = Math.min(device.pollIntervalMs, MAX_PREVIEW_GAP_MS);
    try {
      return opcuaPreviewAnswer(
        device,
        profile,
        await o.readOpcua(device.transport, profile, { cycles, gapMs, device: device.id }),
      );
    } catch (err) {
      // An untrusted certificate, a refused session: the technician's to fix, said as the browser says it.
      if ((err as Error).name === "UntrustedServerError" || (err as Error).name === "BrowseError")
        throw new CandidateError((err as Error).message);
      throw err;
    }
  }

  return { preview };
}
export type Preview = ReturnType<typeof createPreview>;
