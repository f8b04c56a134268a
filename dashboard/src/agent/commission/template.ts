/**
 * N identical devices on one bus, as the rows of a CSV import (agent/src/commission/csv): the same
 * checks and dry run as a file, one device per unit id, named `<base>-<unit id>`.
 */
export interface DeviceTemplate {
  base: string;
  profile: string;
  transport: "tcp" | "rtu" | "rtu-over-tcp";
  /** host:port, or the serial port. */
  address: string;
  /** Like "9600 8E1"; rtu only. */
  serial: string;
  /** "1-10", "1, 3, 7" or both: "1-4, 9". */
  unitIds: string;
  pollIntervalMs: string;
}

export const CSV_HEADER = "id,profile,transport,address,unit_id,poll_interval_ms,serial,points";
const MAX_DEVICES = 247;

/** The unit ids a list like "1-4, 9" names, in order, each once; or what is wrong with it. */
export function parseUnitIds(text: string): number[] | string {
  const ids: number[] = [];
  for (const part of text.split(/[,;\s]+/).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return `'${part}' is not a unit id or a range like 1-10`;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from > to) return `${part}: the range runs backwards`;
    if (to > 255) return `${part}: unit ids go up to 255 (247 on RS-485)`;
    if (to - from >= MAX_DEVICES) return `${part}: at most ${MAX_DEVICES} devices at once`;
    for (let id = from; id <= to; id++) if (!ids.includes(id)) ids.push(id);
  }
  if (ids.length === 0) return "give unit ids, like 1-10 or 1, 3, 7";
  if (ids.length > MAX_DEVICES) return `at most ${MAX_DEVICES} devices at once`;
  return ids;
}

/** A CSV cell, quoted when it holds a comma, a quote or a line break. */
const cell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** The template as a CSV file (the import's columns), with the ids it names; or what is wrong. */
export function templateCsv(t: DeviceTemplate): { csv: string; ids: string[] } | { error: string } {
  const unitIds = parseUnitIds(t.unitIds);
  if (typeof unitIds === "string") return { error: unitIds };
  const base = t.base.trim();
  const rows = unitIds.map((unit) =>
    [
      `${base}-${unit}`,
      t.profile,
      t.transport,
      t.address.trim(),
      String(unit),
      t.pollIntervalMs.trim(),
      t.transport === "rtu" ? t.serial.trim() : "",
      "",
    ]
      .map(cell)
      .join(","),
  );
  return { csv: `${CSV_HEADER}\n${rows.join("\n")}\n`, ids: unitIds.map((u) => `${base}-${u}`) };
}
