import type { IdentifySpec, PointSpec, Profile } from "@tidegate/profiles";

/** One piece of evidence for or against a profile, with its weight and in words. */
export interface Evidence {
  kind: "identify" | "sunspec" | "device-id" | "plausible" | "unread";
  weight: number;
  text: string;
}

/** What was read off a device, once, for ranking every profile against it. */
export interface DeviceFacts {
  /** Where "SunS" was found (40000, 50000 or 0), if anywhere. */
  sunspecBase?: number;
  /** FC 43/14 basic objects, when the device supports them: vendor, product code, revision. */
  deviceId?: { vendor?: string; product?: string; revision?: string };
}

/** A profile's reading of the device: its identify registers and its points, decoded. */
export interface ProfileReading {
  identify: { spec: IdentifySpec; value?: number | boolean | string; error?: string }[];
  points: { point: PointSpec; value?: number | boolean | string }[];
  failedBlocks: number;
  /** For a SunSpec profile: which of its models past the common one the device's chain has, and which not. */
  sunspecModels?: { found: number[]; missing: number[] };
}

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");

/**
 * How well `profile` explains what the device answered. Declared identification registers weigh
 * most (a match is near proof, a mismatch near disproof); SunSpec's marker and FC 43/14's vendor
 * next; then each decoded value inside or outside its point's min/max, and blocks the device
 * refused (a map that does not fit). Pure, so the ranking is tested without a device.
 */
export function scoreProfile(profile: Profile, facts: DeviceFacts, reading: ProfileReading): Evidence[] {
  const out: Evidence[] = [];
  for (const r of reading.identify) {
    const label = r.spec.name ?? `${r.spec.register.table} ${r.spec.register.address}`;
    if (r.error !== undefined)
      out.push({ kind: "identify", weight: -5, text: `${label}: not readable (${r.error})` });
    else if (r.value === r.spec.equals)
      out.push({ kind: "identify", weight: 10, text: `${label} = ${String(r.value)}, as the manual says` });
    else
      out.push({
        kind: "identify",
        weight: -10,
        text: `${label} = ${String(r.value)}, the manual says ${String(r.spec.equals)}`,
      });
  }
  const sunspecProfile = profile.id.startsWith("sunspec/");
  if (facts.sunspecBase !== undefined)
    out.push(
      sunspecProfile
        ? { kind: "sunspec", weight: 8, text: `SunSpec marker "SunS" at ${facts.sunspecBase}` }
        : {
            kind: "sunspec",
            weight: -2,
            text: `a SunSpec device ("SunS" at ${facts.sunspecBase}); this is no SunSpec profile`,
          },
    );
  else if (sunspecProfile)
    out.push({ kind: "sunspec", weight: -4, text: 'no SunSpec marker "SunS" at 40000, 50000 or 0' });
  const models = reading.sunspecModels;
  // Every SunSpec device has the common model; the models after it tell an inverter from a meter.
  if (models?.found.length)
    out.push({ kind: "sunspec", weight: 4, text: `the device's chain has model ${models.found.join(", ")}` });
  else if (models?.missing.length)
    out.push({
      kind: "sunspec",
      weight: -6,
      text: `the device's chain has none of models ${models.missing.join(", ")}`,
    });
  const vendor = facts.deviceId?.vendor;
  if (vendor && norm(vendor).includes(norm(profile.vendor)))
    out.push({ kind: "device-id", weight: 6, text: `the device names its vendor "${vendor}"` });
  else if (vendor)
    out.push({ kind: "device-id", weight: -1, text: `the device names its vendor "${vendor}"` });
  let inside = 0;
  let zeros = 0;
  let outside = 0;
  const off: string[] = [];
  for (const { point, value } of reading.points) {
    if (typeof value !== "number") continue;
    if (!Number.isFinite(value)) {
      outside++;
      off.push(`${point.id} = ${value}`);
    } else if (point.min !== undefined || point.max !== undefined) {
      // A zero fits most ranges, and unused registers read zero on many devices: no evidence.
      if (value === 0 && (point.min ?? 0) <= 0) zeros++;
      else if (value >= (point.min ?? -Infinity) && value <= (point.max ?? Infinity)) inside++;
      else {
        outside++;
        off.push(`${point.id} = ${Number(value.toPrecision(6))}`);
      }
    }
  }
  if (inside) out.push({ kind: "plausible", weight: inside, text: `${inside} values within their min/max` });
  if (zeros) out.push({ kind: "plausible", weight: 0, text: `${zeros} read as 0 (no evidence either way)` });
  if (outside)
    out.push({
      kind: "plausible",
      weight: -2 * outside,
      text: `outside min/max or not a number: ${off.slice(0, 4).join(", ")}`,
    });
  if (reading.failedBlocks)
    out.push({
      kind: "unread",
      weight: -reading.failedBlocks,
      text: `${reading.failedBlocks} blocks refused or unanswered`,
    });
  return out;
}

export const totalWeight = (e: readonly Evidence[]) => e.reduce((n, x) => n + x.weight, 0);
