import { TidegateError } from "@tidegate/protocol";
import { parse as parseCsv } from "csv-parse/sync";
import { Document, isMap, isScalar, isSeq, visit } from "yaml";
import { type ProfileInput, profileSchema, registerTables, registerTypes, wordOrders } from "./schema.js";

/** A register table that cannot become a profile; `issues` name the row and column of each problem. */
export class RegisterTableError extends TidegateError {
  override name = "RegisterTableError";
  readonly code = "profile.table";
  constructor(
    message: string,
    readonly issues: readonly string[] = [],
  ) {
    super(message);
  }
}

function tableError(issues: readonly string[], file: string): RegisterTableError {
  const lines = issues.map((i) => `  ${i}`).join("\n");
  return new RegisterTableError(`${file}: the register table cannot become a profile\n${lines}`, issues);
}

/** What a profile needs that a register table does not carry. */
export interface TableProfileMeta {
  id: string;
  vendor: string;
  model: string;
  source: { title: string; url: string; version?: string };
  protocols?: ("modbus-tcp" | "modbus-rtu")[];
  unitId?: number;
  baudRate?: number;
}

/** The columns a manual's register table has; headers are matched without case, spaces or punctuation. */
const COLUMNS = {
  address: ["address", "register", "ref", "reg"],
  table: ["table", "registertype", "function"],
  name: ["name", "parameter", "description"],
  id: ["id", "pointid"],
  type: ["type", "datatype", "format"],
  order: ["order", "byteorder", "wordorder", "endianness"],
  length: ["length", "registers", "words"],
  bit: ["bit"],
  scale: ["scale", "factor", "multiplier"],
  offset: ["offset"],
  unit: ["unit", "units"],
  access: ["access", "mode", "rw"],
  min: ["min", "minimum"],
  max: ["max", "maximum"],
  raw: ["raw", "exampleraw"],
  value: ["value", "examplevalue"],
  notes: ["notes", "comment", "remarks"],
} as const;
export type TableColumn = keyof typeof COLUMNS;
type Column = TableColumn;
/** The columns a register table may have, by their canonical names. */
export const tableColumns = Object.keys(COLUMNS) as TableColumn[];

const TYPE_ALIASES: Record<string, (typeof registerTypes)[number]> = {
  float: "float32",
  real: "float32",
  ieee754: "float32",
  double: "float64",
  u16: "uint16",
  word: "uint16",
  unsigned: "uint16",
  s16: "int16",
  i16: "int16",
  signed: "int16",
  u32: "uint32",
  dword: "uint32",
  ulong: "uint32",
  s32: "int32",
  i32: "int32",
  long: "int32",
  u64: "uint64",
  s64: "int64",
  ascii: "string",
  utf8: "string",
  bit: "bool",
  boolean: "bool",
};
const TABLE_ALIASES: Record<string, (typeof registerTables)[number]> = {
  "0x": "coil",
  "1x": "discrete",
  "3x": "input",
  "4x": "holding",
  fc01: "coil",
  fc02: "discrete",
  fc04: "input",
  fc03: "holding",
};
const ACCESS: Record<string, "read" | "readwrite"> = {
  r: "read",
  ro: "read",
  read: "read",
  readonly: "read",
  rw: "readwrite",
  readwrite: "readwrite",
  w: "readwrite",
  wo: "readwrite",
};

const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");

/** The column each header names, or undefined for a column the converter does not use. */
function columnOf(header: string): Column | undefined {
  const key = squash(header);
  return (Object.keys(COLUMNS) as Column[]).find((c) => (COLUMNS[c] as readonly string[]).includes(key));
}

/** A point id from the register's name: "Phase 1 voltage (V)" -> "phase_1_voltage_v". */
export function pointIdFromName(name: string): string {
  return (
    name
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .slice(0, 64) || "point"
  );
}

/** One register row of a table: its cells by column, and the row number errors name. */
export interface TableRow {
  line: number;
  cells: Partial<Record<TableColumn, string>>;
}

/**
 * A profile YAML from a register table as manuals print it (CSV with a header row). Addresses in the
 * manual's notation (30001, 40001, 463745) keep it as `ref`; with a `table` column they are 0-based
 * protocol addresses (decimal or 0x hex). Optional `raw` (hex words) and `value` columns become
 * testdata. Every problem is reported at once, each naming its row (the file's line) and column.
 */
export function profileFromTable(csv: string, meta: TableProfileMeta, file = "table.csv"): string {
  const issues: string[] = [];
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(csv, {
      info: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
      relax_column_count: true,
    }) as never;
  } catch (err) {
    throw tableError([`not readable as CSV: ${(err as Error).message}`], file);
  }
  const [header, ...body] = records;
  if (!header) throw tableError(["the file is empty: expected a header row"], file);
  const columns = header.record.map(columnOf);
  for (const need of ["address", "name", "type"] as const)
    if (!columns.includes(need))
      issues.push(
        `header (row ${header.info.lines}): no '${need}' column (headers seen: ${header.record.join(", ")}); accepted names: ${COLUMNS[need].join(", ")}`,
      );
  if (issues.length) throw tableError(issues, file);

  const rows: TableRow[] = body.map(({ record, info }) => {
    const cells: TableRow["cells"] = {};
    record.forEach((v, i) => {
      const c = columns[i];
      if (c && v !== "") cells[c] = v;
    });
    return { line: info.lines, cells };
  });
  const head = `# yaml-language-server: $schema=../profile.schema.json\n# Written by \`tidegate-agent profile from-csv\` from ${file}: check it against the manual, add simulate blocks, and run \`tidegate-agent profile check\`.\n`;
  return head + profileToYaml(profileFromRows(rows, meta, file));
}

/**
 * A validated profile from register rows (a CSV's, or the commissioning page's table), in the
 * same columns; every problem at once, each naming its row and column.
 */
export function profileFromRows(
  rows: readonly TableRow[],
  meta: TableProfileMeta,
  file: string,
): ProfileInput {
  const issues: string[] = [];
  const points: Record<string, unknown>[] = [];
  const testdata: Record<string, unknown>[] = [];
  const pointRows: TableRow[] = [];
  const seenIds = new Map<string, number>();
  for (const row of rows) {
    const at = (col: Column) =>
      `row ${row.line}${row.cells.name ? ` ("${row.cells.name}")` : ""}, column ${col}`;
    const bad = (col: Column, message: string) => issues.push(`${at(col)}: ${message}`);
    const c = row.cells;
    const number = (col: Column): number | undefined => {
      const text = c[col];
      if (text === undefined) return undefined;
      const n = /^-?0x[0-9a-f]+$/i.test(text) ? Number.parseInt(text, 16) : Number(text.replace(",", "."));
      if (!Number.isFinite(n)) bad(col, `'${text}' is not a number`);
      return Number.isFinite(n) ? n : undefined;
    };
    if (!c.name) {
      bad("name", "empty: every register needs a name");
      continue;
    }
    const register: Record<string, unknown> = {};
    const typeText = squash(c.type ?? "");
    const type = (registerTypes as readonly string[]).includes(typeText) ? typeText : TYPE_ALIASES[typeText];
    if (!type)
      bad("type", `'${c.type ?? ""}' is not a register type; use one of ${registerTypes.join(", ")}`);
    register.type = type;
    if (c.table !== undefined) {
      const t = squash(c.table);
      const table = (registerTables as readonly string[]).includes(t) ? t : TABLE_ALIASES[t];
      if (!table) bad("table", `'${c.table}' is not a register table; use ${registerTables.join(", ")}`);
      register.table = table;
      const address = number("address");
      if (address !== undefined && (!Number.isInteger(address) || address < 0 || address > 65535))
        bad("address", `${c.address} is not a 0-based protocol address (0..65535)`);
      register.address = address;
    } else if (c.address === undefined) {
      bad(
        "address",
        "empty: give the manual's number (30001, 40001) or a table column and a 0-based address",
      );
    } else if (/^[0134]\d{4,5}$/.test(c.address)) {
      register.ref = c.address;
    } else {
      bad(
        "address",
        `'${c.address}' is not in a manual's notation (5 or 6 digits starting 0, 1, 3 or 4, like 30001); for 0-based addresses add a table column`,
      );
    }
    if (c.order !== undefined) {
      const o = c.order.toUpperCase().replace(/[^A-D]/g, "");
      if ((wordOrders as readonly string[]).includes(o)) register.order = o;
      else
        bad(
          "order",
          `'${c.order}' is not a byte order; use ${wordOrders.join(", ")} (A = most significant byte)`,
        );
    }
    const length = number("length");
    if (length !== undefined) register.length = length;
    const bit = number("bit");
    if (bit !== undefined) register.bit = bit;

    const id = c.id ?? pointIdFromName(c.name);
    const earlier = seenIds.get(id);
    if (earlier !== undefined)
      bad("id", `point id '${id}' is row ${earlier}'s too: give one of them another name or an id column`);
    seenIds.set(id, row.line);
    const point: Record<string, unknown> = { id, name: c.name };
    if (c.notes) point.description = c.notes;
    if (c.unit) point.unit = c.unit;
    // The manual's address first, as the bundled profiles write it.
    const { type: registerType, order, length: words, bit: bitNo, ...address } = register;
    point.register = Object.fromEntries(
      Object.entries({ ...address, type: registerType, order, length: words, bit: bitNo }).filter(
        ([, v]) => v !== undefined,
      ),
    );
    const scale = number("scale");
    if (scale !== undefined && scale !== 1) point.scale = scale;
    const offset = number("offset");
    if (offset !== undefined && offset !== 0) point.offset = offset;
    if (c.access !== undefined) {
      const access = ACCESS[squash(c.access)];
      if (!access) bad("access", `'${c.access}' is not an access; use read (R, RO) or readwrite (RW, R/W)`);
      else if (access === "readwrite") point.access = access;
    }
    const min = number("min");
    if (min !== undefined) point.min = min;
    const max = number("max");
    if (max !== undefined) point.max = max;
    if (min !== undefined && max !== undefined && min > max)
      bad("max", `${max} is below min ${min}: the range runs from min to max`);
    points.push(point);
    pointRows.push(row);

    if (c.raw !== undefined || c.value !== undefined) {
      if (c.raw === undefined || c.value === undefined) {
        bad(c.raw === undefined ? "raw" : "value", "an example needs both raw (hex words) and value");
        continue;
      }
      const words = c.raw.split(/[\s,;]+/).map((w) => Number.parseInt(w.replace(/^0x/i, ""), 16));
      if (words.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffff)) {
        bad("raw", `'${c.raw}' is not hex register words like "4366 3334"`);
        continue;
      }
      const asNumber = Number(c.value);
      const value = type === "string" ? c.value : type === "bool" ? /^(1|true|on)$/i.test(c.value) : asNumber;
      if (typeof value === "number" && !Number.isFinite(value)) bad("value", `'${c.value}' is not a number`);
      testdata.push({ point: point.id, raw: words, value });
    }
  }
  if (points.length === 0 && issues.length === 0) issues.push("no register rows under the header");
  if (issues.length) throw tableError(issues, file);

  const profile: ProfileInput = {
    id: meta.id,
    vendor: meta.vendor,
    model: meta.model,
    protocols: meta.protocols ?? ["modbus-rtu", "modbus-tcp"],
    source: meta.source,
    defaults: { unitId: meta.unitId ?? 1, ...(meta.baudRate ? { baudRate: meta.baudRate } : {}) },
    points: points as ProfileInput["points"],
    testdata: testdata as ProfileInput["testdata"],
  };
  const checked = profileSchema.safeParse(profile);
  if (!checked.success) {
    for (const issue of checked.error.issues) {
      const [first, index, ...rest] = issue.path;
      const row = first === "points" && typeof index === "number" ? pointRows[index] : undefined;
      const field = rest.filter((p) => p !== "register").join(".") || "row";
      issues.push(
        row
          ? `row ${row.line} ("${row.cells.name}"), column ${field}: ${issue.message}`
          : `${issue.path.join(".") || "profile"}: ${issue.message}`,
      );
    }
    throw tableError(issues, file);
  }
  return profile;
}

/** YAML laid out as the bundled profiles are: one line per register, per testdata entry, per list. */
export function profileToYaml(profile: ProfileInput): string {
  const doc = new Document(profile);
  const oneLine = new Set(["register", "protocols", "defaults", "raw"]);
  visit(doc, {
    Pair(_, pair) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      if (oneLine.has(key) && (isMap(pair.value) || isSeq(pair.value))) pair.value.flow = true;
      if (key === "testdata" && isSeq(pair.value))
        for (const item of pair.value.items) if (isMap(item)) item.flow = true;
      // Register words as the manual prints them.
      if (key === "raw" && isSeq(pair.value))
        for (const word of pair.value.items) if (isScalar(word)) word.format = "HEX";
    },
  });
  // Padded maps, unpadded lists: how Biome formats the bundled YAML.
  return doc.toString({ lineWidth: 0, flowCollectionPadding: true }).replace(/\[ ([^[\]"]*) \]/g, "[$1]");
}
