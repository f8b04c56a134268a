import { modbusProfiles } from "@tidegate/profiles";
import { TidegateError } from "@tidegate/protocol";
import type { Logger } from "pino";
import { z } from "zod";
import type { SourcesLifecycle } from "../sources/lifecycle.js";
import { busKey, createBus, type ModbusBus } from "../sources/modbus/bus.js";
import { type ProbeResult, probeDevice } from "./probe-device.js";

/** The technician page's probe: a configured device, or a free Modbus TCP address with a profile. */
export const probeRequestSchema = z.union([
  z
    .object({
      device: z.string().min(1).max(200),
      /** Another unit id on the device's own line. */
      unitId: z.number().int().min(0).max(255).optional(),
      profile: z.string().min(1).max(200).optional(),
      timeoutMs: z.number().int().min(50).max(10_000).optional(),
    })
    .strict(),
  z
    .object({
      host: z.string().min(1).max(253),
      port: z.number().int().min(1).max(65_535),
      unitId: z.number().int().min(0).max(255),
      profile: z.string().min(1).max(200),
      timeoutMs: z.number().int().min(50).max(10_000).optional(),
    })
    .strict(),
]);
export type ProbeRequest = z.infer<typeof probeRequestSchema>;

export const PROBE_REQUEST_HELP =
  "the body must be JSON: { device: <configured device id>, unitId?, profile? } or { host, port, unitId, profile: <vendor/model> }, with an optional timeoutMs (50–10000)";

/** A probe that cannot be done as asked: the caller's mistake, in words (HTTP 400). */
export class ProbeRequestError extends TidegateError {
  override name = "ProbeRequestError";
  readonly code = "probe.request";
}
/** The whole probe took too long (HTTP 504); the line's queue goes on without waiting for it. */
export class ProbeTimeoutError extends TidegateError {
  override name = "ProbeTimeoutError";
  readonly code = "probe.timeout";
}

export interface ProbeAnswer extends ProbeResult {
  profile: string;
  at: string;
  unitId: number;
}

type Lifecycle = Pick<SourcesLifecycle, "loaded" | "modbusTarget">;

export function createProbeService(lifecycle: Lifecycle, log: Logger, o: { deadlineMs?: number } = {}) {
  const profilesOf = () => modbusProfiles(lifecycle.loaded().library.all());

  function profileFor(id: string) {
    const profile = profilesOf().find((p) => p.id === id);
    if (!profile)
      throw new ProbeRequestError(
        `no Modbus profile '${id}'; known: ${profilesOf()
          .map((p) => p.id)
          .sort()
          .join(", ")}`,
      );
    return profile;
  }

  /** A configured device on the same line, whose bus (and its queue) the probe must share. */
  function configuredBus(key: string): ModbusBus | undefined {
    for (const d of lifecycle.loaded().config.devices) {
      if (d.transport.type === "serial" || d.transport.type === "opcua" || busKey(d.transport) !== key)
        continue;
      const target = lifecycle.modbusTarget(d.id);
      if (target) return target.bus;
    }
    return undefined;
  }

  /** What the form offers: the configured Modbus devices and every Modbus profile. */
  function options() {
    const devices = lifecycle
      .loaded()
      .config.devices.filter((d) => d.transport.type !== "serial" && lifecycle.modbusTarget(d.id))
      .map((d) => {
        const target = lifecycle.modbusTarget(d.id);
        return {
          id: d.id,
          profile: d.profile,
          line: target?.bus.label ?? "",
          unitId: d.unitId ?? target?.profile.defaults.unitId ?? 1,
        };
      });
    return {
      devices,
      profiles: profilesOf()
        .map((p) => p.id)
        .sort(),
    };
  }

  async function run(req: ProbeRequest): Promise<ProbeAnswer> {
    let bus: ModbusBus;
    let own = false;
    let profile: ReturnType<typeof profileFor>;
    let unitId: number;
    let timeoutMs: number;
    if ("device" in req) {
      const target = lifecycle.modbusTarget(req.device);
      if (!target)
        throw new ProbeRequestError(
          `no Modbus device '${req.device}'; configured: ${
            options()
              .devices.map((d) => d.id)
              .join(", ") || "none"
          }`,
        );
      bus = target.bus;
      profile = req.profile ? profileFor(req.profile) : target.profile;
      unitId = req.unitId ?? target.device.unitId ?? target.profile.defaults.unitId;
      timeoutMs = req.timeoutMs ?? target.device.timeoutMs;
    } else {
      profile = profileFor(req.profile);
      const transport = { type: "tcp" as const, host: req.host, port: req.port };
      const shared = configuredBus(busKey(transport));
      own = !shared;
      bus = shared ?? createBus(transport, log);
      unitId = req.unitId;
      timeoutMs = req.timeoutMs ?? 1000;
    }
    // Every block may take its timeout, plus the polls queued ahead on a shared line; past this the
    // technician gets an answer in words and the line finishes its queue on its own.
    const deadlineMs = o.deadlineMs ?? Math.min(30_000, 5000 + timeoutMs * 2 * (profile.points.length + 1));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ProbeTimeoutError(
              `no complete answer from ${bus.label}, unit ${unitId}, within ${(deadlineMs / 1000).toFixed(1)} s: check the address, the unit id and that the device is powered and wired`,
            ),
          ),
        deadlineMs,
      );
    });
    const reading = probeDevice(bus, profile, unitId, timeoutMs);
    try {
      const result = await Promise.race([reading, deadline]);
      return { ...result, profile: profile.id, unitId, at: new Date().toISOString() };
    } finally {
      clearTimeout(timer);
      if (own) void reading.catch(() => {}).finally(() => bus.close());
    }
  }

  return { options, run };
}
export type ProbeService = ReturnType<typeof createProbeService>;
