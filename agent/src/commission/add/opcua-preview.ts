import type { AnyProfile, OpcuaProfile } from "@tidegate/profiles";
import type { CommissionPreviewAnswer, Reading } from "@tidegate/protocol";
import { profileOfNodes } from "../../config/device-nodes.js";
import type { DeviceConfig } from "../../config/schema.js";
import type { EndpointTarget } from "../../sources/opcua/config.js";

/** Reads an OPC UA candidate's points a few times (sources/opcua/endpoint.ts, loaded on first use). */
export type ReadOpcuaPoints = (
  target: EndpointTarget,
  profile: OpcuaProfile,
  o: { cycles: number; gapMs: number; device: string },
) => Promise<{ at: string; readings: Reading[]; unbound: { point: string; reason: string }[] }[]>;

/** The candidate's profile: its own nodes, or a configured OPC UA profile (with its point subset). */
export function opcuaProfileFor(
  device: DeviceConfig,
  profiles: ReadonlyMap<string, AnyProfile>,
): OpcuaProfile | { error: string } {
  if (device.nodes) {
    const made = profileOfNodes(device, profiles);
    return "problem" in made ? { error: `device.${made.path.join(".")}: ${made.problem}` } : made.profile;
  }
  const profile = profiles.get(device.profile);
  if (profile?.kind !== "opcua")
    return {
      error: `device.profile: no OPC UA profile '${device.profile}'; give one, or the device's nodes`,
    };
  const chosen = device.points;
  return chosen ? { ...profile, points: profile.points.filter((p) => chosen.includes(p.id)) } : profile;
}

/** Readings as the preview table shows them: a value, or the quality and reason in its place. */
export function opcuaPreviewAnswer(
  device: DeviceConfig & { transport: { type: "opcua" } },
  profile: OpcuaProfile,
  cycles: Awaited<ReturnType<ReadOpcuaPoints>>,
): CommissionPreviewAnswer {
  const byId = new Map(profile.points.map((p) => [p.id, p]));
  return {
    device: device.id,
    profile: profile.id,
    unitId: 0,
    line: device.transport.endpoint,
    shared: false,
    cycles: cycles.map((c) => ({
      at: c.at,
      points: c.readings.map((r) => {
        const point = byId.get(r.point);
        return {
          id: r.point,
          name: point?.name ?? r.point,
          ...(point?.unit ? { unit: point.unit } : {}),
          value: r.quality === "good" ? String(r.value) : `${r.quality}: ${r.reason ?? ""}`,
        };
      }),
      failures: c.unbound.map((u) => ({ block: u.point, reason: u.reason, points: [u.point] })),
    })),
  };
}
