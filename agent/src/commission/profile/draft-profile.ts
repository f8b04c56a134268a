import {
  type PointSpec,
  type Profile,
  type ProfileInput,
  profileFromRows,
  profileIdSchema,
  profileSchema,
  profileToYaml,
  RegisterTableError,
  type TableRow,
  tableColumns,
} from "@tidegate/profiles";
import { TidegateError } from "@tidegate/protocol";
import { z } from "zod";
import { decodePoint } from "../../sources/modbus/decode.js";

/**
 * A profile built on the commissioning page for a device no profile fits: the manual's register
 * table in the same columns as `tidegate-agent profile from-csv`, and what the profile needs that a
 * table does not carry.
 */
const cellsSchema = z
  .object(Object.fromEntries(tableColumns.map((c) => [c, z.string().max(200).optional()])))
  .strict();

export const draftProfileSchema = z
  .object({
    profile: z
      .object({
        id: profileIdSchema,
        vendor: z.string().min(1).max(100),
        model: z.string().min(1).max(100),
        title: z.string().min(1).max(300).describe("the manual's title"),
        url: z.string().url().max(2000).describe("where the manual is"),
        unitId: z.number().int().min(0).max(255).optional(),
        baudRate: z.number().int().min(300).max(1_000_000).optional(),
      })
      .strict(),
    table: z.array(cellsSchema).min(1).max(500),
  })
  .strict();
export type DraftProfile = z.infer<typeof draftProfileSchema>;

/** What the technician read off the device's display for a point, beside the registers read. */
export const displayReadingSchema = z
  .object({
    point: z.string().min(1).max(64),
    raw: z.array(z.number().int().min(0).max(65535)).min(1).max(125),
    display: z.string().trim().min(1).max(100),
  })
  .strict();
export type DisplayReading = z.infer<typeof displayReadingSchema>;

/** A draft that cannot become a profile, or that does not decode what the display shows (HTTP 400). */
export class DraftProfileError extends TidegateError {
  override name = "DraftProfileError";
  readonly code = "commission.profile";
  constructor(
    message: string,
    readonly issues: readonly string[] = [],
  ) {
    super(message);
  }
}

/** The draft as a validated profile; every problem of the table at once, each naming its row and column. */
export function draftToProfile(draft: DraftProfile): { input: ProfileInput; profile: Profile } {
  const { profile: meta, table } = draft;
  const rows: TableRow[] = table.map((cells, i) => ({
    line: i + 1,
    cells: Object.fromEntries(
      Object.entries(cells).filter(([, v]) => v !== undefined && v.trim() !== ""),
    ) as TableRow["cells"],
  }));
  try {
    const input = profileFromRows(
      rows,
      {
        id: meta.id,
        vendor: meta.vendor,
        model: meta.model,
        source: { title: meta.title, url: meta.url },
        ...(meta.unitId !== undefined ? { unitId: meta.unitId } : {}),
        ...(meta.baudRate !== undefined ? { baudRate: meta.baudRate } : {}),
      },
      "the register table",
    );
    return { input, profile: profileSchema.parse(input) };
  } catch (err) {
    if (err instanceof RegisterTableError) throw new DraftProfileError(err.message, err.issues);
    throw err;
  }
}

/** Digits after the decimal point of a number as typed ("230.1" has one). */
const digitsOf = (text: string) => /[.,](\d+)$/.exec(text)?.[1]?.length ?? 0;

/**
 * Does the value decoded from the registers show as the display does? A display rounds to its
 * digits, so a float is within half its last digit; a bool reads 1/0, on/off, true/false.
 */
export function matchesDisplay(decoded: unknown, display: string): boolean | string {
  const text = display.trim();
  if (typeof decoded === "boolean") {
    if (/^(1|true|on|yes)$/i.test(text)) return decoded;
    if (/^(0|false|off|no)$/i.test(text)) return !decoded;
    return `'${text}' is not on or off (1/0, on/off, true/false)`;
  }
  if (typeof decoded === "string") return decoded.trim() === text;
  const shown = Number(text.replace(",", "."));
  if (!Number.isFinite(shown)) return `'${text}' is not a number`;
  if (typeof decoded !== "number") return false;
  const tolerance = 0.5 * 10 ** -digitsOf(text) + 1e-9 * Math.max(1, Math.abs(shown));
  return Math.abs(decoded - shown) <= tolerance;
}

const hex = (raw: readonly number[]) => raw.map((w) => w.toString(16).padStart(4, "0")).join(" ");

/**
 * The profile's testdata from the registers read and the values the display showed: each reading
 * must decode, with the table's type, order and scale, to what the display shows, and its entry
 * holds the exact decoded value (what `tidegate-agent profile check` compares).
 */
export function testdataFromReadings(
  profile: Profile,
  readings: readonly DisplayReading[],
): { point: string; raw: number[]; value: number | boolean | string }[] {
  const issues: string[] = [];
  const testdata: { point: string; raw: number[]; value: number | boolean | string }[] = [];
  readings.forEach((r, i) => {
    const point: PointSpec | undefined = profile.points.find((p) => p.id === r.point);
    if (!point) {
      issues.push(
        `readings.${i}: no point '${r.point}' in the table; points: ${profile.points.map((p) => p.id).join(", ")}`,
      );
      return;
    }
    let decoded: number | boolean | string;
    try {
      decoded = decodePoint(point, r.raw);
    } catch (err) {
      issues.push(
        `readings.${i} (${r.point}): registers ${hex(r.raw)} do not decode: ${(err as Error).message}`,
      );
      return;
    }
    const match = matchesDisplay(decoded, r.display);
    if (typeof match === "string") issues.push(`readings.${i} (${r.point}): ${match}`);
    else if (!match)
      issues.push(
        `readings.${i} (${r.point}): the display shows ${r.display}, but registers ${hex(r.raw)} decode to ${String(decoded)} with this table; check its type, byte order and scale`,
      );
    else testdata.push({ point: r.point, raw: [...r.raw], value: decoded });
  });
  if (issues.length > 0)
    throw new DraftProfileError(
      `the profile does not decode what the device's display shows:\n${issues.map((i) => `  ${i}`).join("\n")}`,
      issues,
    );
  return testdata;
}

/** The profile file's text: the draft with its testdata, laid out as the bundled profiles are. */
export function draftProfileYaml(
  input: ProfileInput,
  testdata: ProfileInput["testdata"],
  by: string | undefined,
): string {
  const head = `# Built on the gateway's commissioning page${by ? ` by ${by}` : ""} from the manual's register table; its testdata are registers read from the device with the values its display showed. Check it with \`tidegate-agent profile check\`.\n`;
  return head + profileToYaml({ ...input, testdata: testdata ?? [] });
}
