import type { RegisterType } from "./schema.js";

/**
 * Digits after the point a value of this point deserves: `decimals` when the profile says, else
 * what an integer register scaled by `scale` can resolve (raw × 0.1 has one digit, × 0.25 two,
 * × 10 none). Undefined for floats and text-parsed values without `decimals`: their resolution is
 * not known, and the dashboard then rounds by magnitude.
 */
export function pointDecimals(p: {
  decimals?: number | undefined;
  scale?: number | undefined;
  register?: { type: RegisterType } | undefined;
  scaleFactor?: string | undefined;
}): number | undefined {
  if (p.decimals !== undefined) return p.decimals;
  // The device's own scale factor sets the resolution, and it is only known once read.
  if (p.scaleFactor !== undefined) return undefined;
  const type = p.register?.type;
  if (!type || type === "float32" || type === "float64" || type === "string") return undefined;
  if (type === "bool") return 0;
  const scale = Math.abs(p.scale ?? 1);
  if (scale === 0 || !Number.isFinite(scale)) return 0;
  // The smallest step is `scale`; count the digits it needs, to at most 9.
  for (let d = 0; d <= 9; d++) {
    const stepped = scale * 10 ** d;
    if (Math.abs(stepped - Math.round(stepped)) < 1e-9 * Math.max(1, stepped)) return d;
  }
  return 9;
}

/** What a dashboard needs to label and format one point: name, unit, digits, and whether it is a setting. */
export interface PointLabel {
  name: string;
  unit?: string;
  decimals?: number;
  /** A read-write register: a setting (an address, a setpoint), not a measurement. */
  writable?: boolean;
}

export function pointLabel(p: {
  name: string;
  unit?: string | undefined;
  decimals?: number | undefined;
  scale?: number | undefined;
  register?: { type: RegisterType } | undefined;
  access?: "read" | "readwrite" | undefined;
  scaleFactor?: string | undefined;
}): PointLabel {
  const decimals = pointDecimals(p);
  return {
    name: p.name,
    ...(p.unit ? { unit: p.unit } : {}),
    ...(decimals !== undefined ? { decimals } : {}),
    ...(p.access === "readwrite" ? { writable: true } : {}),
  };
}
