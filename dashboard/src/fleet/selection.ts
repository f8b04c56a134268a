/**
 * What the fleet view shows, as remembered in the URL hash:
 * `#gw=plant-1&series=meter-1/voltage&series=meter-1/current` (one `series` per charted point).
 */
export interface PointRef {
  device: string;
  point: string;
}
export interface Selection {
  gateway?: string | undefined;
  series?: PointRef[] | undefined;
}

/** A chart holds at most this many points: more lines than that cannot be told apart. */
export const MAX_SERIES = 8;

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

/** Reads a hash (with or without "#"); unknown keys are ignored. Each series splits at its first "/". */
export function parseHash(hash: string): Selection {
  const sel: Selection = {};
  const series: PointRef[] = [];
  for (const part of hash.replace(/^#/, "").split("&")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq);
    const raw = part.slice(eq + 1);
    if (key === "gw" && raw) sel.gateway = decode(raw);
    if (key === "series") {
      const slash = raw.indexOf("/");
      if (slash > 0 && slash < raw.length - 1)
        series.push({ device: decode(raw.slice(0, slash)), point: decode(raw.slice(slash + 1)) });
    }
  }
  if (series.length) sel.series = series;
  return sel;
}

/** The inverse of parseHash; each part is percent-encoded but the separating "/" stays readable. */
export function formatHash(sel: Selection): string {
  const parts: string[] = [];
  if (sel.gateway) parts.push(`gw=${encodeURIComponent(sel.gateway)}`);
  if (sel.gateway)
    for (const s of sel.series ?? [])
      parts.push(`series=${encodeURIComponent(s.device)}/${encodeURIComponent(s.point)}`);
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

const same = (a: PointRef, b: PointRef) => a.device === b.device && a.point === b.point;

/** What the first chart may open on: a point with a unit that is not a read-write setting. */
const isMeasurement = (p: PointRef & { unit?: string | undefined; writable?: boolean | undefined }) =>
  Boolean(p.unit) && !p.writable;

/**
 * The wanted points this gateway has (no repeats, at most MAX_SERIES), else its first measurement
 * (a point with a unit, not a setting such as a device address), else its first point.
 * Before the point list is loaded the wanted ones are kept as they are.
 */
export function pickSeries(
  wanted: readonly PointRef[] | undefined,
  points: readonly (PointRef & { unit?: string | undefined; writable?: boolean | undefined })[] | undefined,
): PointRef[] {
  const unique = (wanted ?? []).filter((s, i, all) => all.findIndex((o) => same(o, s)) === i);
  if (!points) return unique.slice(0, MAX_SERIES).map(({ device, point }) => ({ device, point }));
  const known = unique.filter((s) => points.some((p) => same(p, s))).slice(0, MAX_SERIES);
  if (known.length) return known.map(({ device, point }) => ({ device, point }));
  const first = points.find(isMeasurement) ?? points[0];
  return first ? [{ device: first.device, point: first.point }] : [];
}

/** Adds a point to a chart's list, unless it is already there or the chart is full. */
export function addSeries(list: readonly PointRef[], s: PointRef): PointRef[] {
  if (list.some((o) => same(o, s)) || list.length >= MAX_SERIES) return [...list];
  return [...list, { device: s.device, point: s.point }];
}

/** Removes a point; the last one stays, so a chart never goes blank by accident. */
export function removeSeries(list: readonly PointRef[], s: PointRef): PointRef[] {
  const rest = list.filter((o) => !same(o, s));
  return rest.length ? rest : [...list];
}
