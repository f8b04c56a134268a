/** What the fleet view shows, as remembered in the URL hash: `#gw=plant-1&series=meter-1/voltage`. */
export interface Selection {
  gateway?: string | undefined;
  device?: string | undefined;
  point?: string | undefined;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

/** Reads a hash (with or without "#"); unknown keys are ignored. The series splits at its first "/". */
export function parseHash(hash: string): Selection {
  const sel: Selection = {};
  for (const part of hash.replace(/^#/, "").split("&")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq);
    const raw = part.slice(eq + 1);
    if (key === "gw" && raw) sel.gateway = decode(raw);
    if (key === "series") {
      const slash = raw.indexOf("/");
      if (slash > 0 && slash < raw.length - 1) {
        sel.device = decode(raw.slice(0, slash));
        sel.point = decode(raw.slice(slash + 1));
      }
    }
  }
  return sel;
}

/** The inverse of parseHash; each part is percent-encoded but the separating "/" stays readable. */
export function formatHash(sel: Selection): string {
  const parts: string[] = [];
  if (sel.gateway) parts.push(`gw=${encodeURIComponent(sel.gateway)}`);
  if (sel.gateway && sel.device && sel.point) {
    parts.push(`series=${encodeURIComponent(sel.device)}/${encodeURIComponent(sel.point)}`);
  }
  return parts.length ? `#${parts.join("&")}` : "";
}

/** The wanted id if it exists, else the first one, else (list not loaded yet) the wanted id. */
export function pickId(wanted: string | undefined, ids: readonly string[] | undefined): string | undefined {
  if (!ids) return wanted;
  return wanted !== undefined && ids.includes(wanted) ? wanted : ids[0];
}

export function seriesKey(device: string, point: string): string {
  return `${device}/${point}`;
}

/** The wanted device/point if this gateway has it, else its first point. */
export function pickSeries(
  wanted: Selection,
  points: readonly { device: string; point: string }[] | undefined,
): { device: string; point: string } | undefined {
  if (!points)
    return wanted.device && wanted.point ? { device: wanted.device, point: wanted.point } : undefined;
  const hit = points.find((p) => p.device === wanted.device && p.point === wanted.point) ?? points[0];
  return hit && { device: hit.device, point: hit.point };
}
