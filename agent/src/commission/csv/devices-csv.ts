import { type AnyProfile, modbusProfiles } from "@tidegate/profiles";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { type DeviceConfig, deviceSchema } from "../../config/schema.js";
import { parseSetting, settingLabel } from "../scan/plan.js";

/**
 * Modbus devices as CSV, for many at once: one row per device, in the columns a technician fills
 * in a spreadsheet. `address` is `host:port` for tcp and rtu-over-tcp, the port path for rtu;
 * `serial` is the line setting of an rtu device ("9600 8E1", default 9600 8N1); `points` lists
 * point ids separated by spaces (empty: every point of the profile).
 */
export const CSV_COLUMNS = [
  "id",
  "profile",
  "transport",
  "address",
  "unit_id",
  "poll_interval_ms",
  "serial",
  "points",
] as const;
type Column = (typeof CSV_COLUMNS)[number];
const REQUIRED: readonly Column[] = ["id", "profile", "transport", "address"];

export interface CsvError {
  /** The line in the file (1 is the header). */
  row: number;
  column: Column | "(row)";
  message: string;
}
export interface CsvImport {
  devices: DeviceConfig[];
  errors: CsvError[];
}

/** What the rows are checked against: the running devices (ids, lines) and the profiles. */
export interface CsvContext {
  devices: readonly DeviceConfig[];
  profiles: Map<string, AnyProfile>;
}

/** Which column a schema path came from. */
function columnOf(path: readonly PropertyKey[]): Column | "(row)" {
  const [first, second] = path;
  if (first === "id" || first === "profile") return first;
  if (first === "unitId") return "unit_id";
  if (first === "pollIntervalMs") return "poll_interval_ms";
  if (first === "points") return "points";
  if (first === "transport")
    return second === "type"
      ? "transport"
      : ["baudRate", "parity", "stopBits", "dataBits"].includes(String(second))
        ? "serial"
        : "address";
  return "(row)";
}

const ADDRESS_HINT = " (address: host:port for tcp and rtu-over-tcp, the port's path for rtu)";
const integer = (text: string) => (/^-?\d+$/.test(text) ? Number(text) : Number.NaN);

/** One row as a `devices:` entry, or the errors of its cells. */
function rowDevice(cells: Record<string, string>, row: number, errors: CsvError[]): unknown {
  const fail = (column: Column, message: string) => errors.push({ row, column, message });
  const type = cells.transport ?? "";
  const address = cells.address ?? "";
  let transport: Record<string, unknown> = { type };
  if (type === "rtu") {
    const setting = cells.serial ? parseSetting(cells.serial) : undefined;
    if (cells.serial && !setting)
      fail("serial", `'${cells.serial}' is no line setting; write it like 9600 8N1 or 19200 8E1`);
    transport = { type, port: address, ...(setting ?? {}) };
  } else if (type === "tcp" || type === "rtu-over-tcp") {
    const m = /^(.+?)(?::(\d+))?$/.exec(address);
    transport = { type, host: m?.[1] ?? address, ...(m?.[2] ? { port: Number(m[2]) } : {}) };
    if (cells.serial) fail("serial", `a ${type} device has no serial setting; leave it empty`);
  } else fail("transport", `'${type}' is no Modbus transport; use tcp, rtu or rtu-over-tcp`);
  const device: Record<string, unknown> = { id: cells.id, profile: cells.profile, transport };
  for (const [column, key] of [
    ["unit_id", "unitId"],
    ["poll_interval_ms", "pollIntervalMs"],
  ] as const) {
    const text = cells[column] ?? "";
    if (text === "") continue;
    const n = integer(text);
    if (Number.isNaN(n)) fail(column, `'${text}' is not a whole number`);
    else device[key] = n;
  }
  if (cells.points) device.points = cells.points.split(/\s+/).filter(Boolean);
  return device;
}

/**
 * Reads and checks every row before anything changes (the dry run is this): each error names its
 * row and column. Checked beyond the schema: the profile (a Modbus one), its points, ids unique in
 * the file and new to the gateway, and one setting per serial port.
 */
export function parseDevicesCsv(text: string, ctx: CsvContext): CsvImport {
  const errors: CsvError[] = [];
  let records: { record: Record<string, string>; info: { lines: number } }[];
  let named: string[] = [];
  try {
    records = parse(text, {
      bom: true,
      columns: (header: string[]) => {
        named = header.map((h) => h.trim().toLowerCase());
        return named;
      },
      skip_empty_lines: true,
      trim: true,
      info: true,
    });
  } catch (err) {
    const e = err as Error & { lines?: number };
    return {
      devices: [],
      errors: [{ row: e.lines ?? 1, column: "(row)", message: `not valid CSV: ${e.message}` }],
    };
  }
  for (const h of named)
    if (!(CSV_COLUMNS as readonly string[]).includes(h))
      errors.push({
        row: 1,
        column: "(row)",
        message: `unknown column '${h}'; the columns are ${CSV_COLUMNS.join(", ")}`,
      });
  for (const c of REQUIRED)
    if (!named.includes(c))
      errors.push({ row: 1, column: c, message: `the column '${c}' is missing from the header` });
  if (errors.length > 0) return { devices: [], errors };
  if (records.length === 0)
    return {
      devices: [],
      errors: [{ row: 2, column: "(row)", message: "no devices: the file has only its header" }],
    };

  const profiles = modbusProfiles(ctx.profiles);
  const known = ctx.devices.map((d) => d.id);
  const seen = new Map<string, number>();
  const lines = new Map<string, { row: number | undefined; setting: string; owner: string }>();
  for (const d of ctx.devices)
    if (d.transport.type === "rtu" && !lines.has(d.transport.port))
      lines.set(d.transport.port, { row: undefined, setting: settingLabel(d.transport), owner: d.id });
  const devices: DeviceConfig[] = [];
  for (const { record, info } of records) {
    const row = info.lines;
    const before = errors.length;
    const parsed = deviceSchema.safeParse(rowDevice(record, row, errors));
    if (errors.length > before) continue;
    if (!parsed.success) {
      for (const i of parsed.error.issues) {
        const column = columnOf(i.path);
        const hint = column === "address" ? ADDRESS_HINT : "";
        errors.push({ row, column, message: `${i.message}${hint}` });
      }
      continue;
    }
    const device = parsed.data;
    const fail = (column: Column, message: string) => errors.push({ row, column, message });
    const profile = profiles.find((p) => p.id === device.profile);
    if (!profile) fail("profile", `no Modbus profile '${device.profile}'`);
    const missing = profile
      ? (device.points ?? []).filter((p) => !profile.points.some((x) => x.id === p))
      : [];
    if (missing.length > 0)
      fail("points", `${device.profile} has no point ${missing.map((p) => `'${p}'`).join(", ")}`);
    if (known.includes(device.id)) fail("id", `a device '${device.id}' exists already on this gateway`);
    const earlier = seen.get(device.id);
    if (earlier !== undefined) fail("id", `the id '${device.id}' is also in row ${earlier}`);
    seen.set(device.id, row);
    if (device.transport.type === "rtu") {
      const setting = settingLabel(device.transport);
      const line = lines.get(device.transport.port);
      if (line && line.setting !== setting)
        fail(
          "serial",
          `${device.transport.port} runs at ${line.setting} (${line.row ? `row ${line.row}` : `device ${line.owner}`}); devices on one serial port share one setting`,
        );
      else if (!line) lines.set(device.transport.port, { row, setting, owner: device.id });
    }
    devices.push(device);
  }
  return { devices: errors.length > 0 ? [] : devices, errors };
}

/** The gateway's Modbus devices in the same columns; other devices (serial-line, OPC UA) are left out. */
export function devicesToCsv(devices: readonly DeviceConfig[]): string {
  const rows = devices.flatMap((d) => {
    const t = d.transport;
    if (t.type === "serial" || t.type === "opcua") return [];
    return [
      {
        id: d.id,
        profile: d.profile,
        transport: t.type,
        address: t.type === "rtu" ? t.port : `${t.host}:${t.port}`,
        unit_id: d.unitId ?? "",
        poll_interval_ms: d.pollIntervalMs,
        serial: t.type === "rtu" ? settingLabel(t) : "",
        points: (d.points ?? []).join(" "),
      },
    ];
  });
  return stringify(rows, { header: true, columns: [...CSV_COLUMNS] });
}
