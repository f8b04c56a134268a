import { type LineProfile, lineProfileSchema, loadProfiles } from "@tidegate/profiles";
import type { Reading } from "@tidegate/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { damagedText, hostileText } from "../../../../test/helpers/fuzz.js";
import { lineToReadings, nmeaChecksum, nmeaDegrees, parseDecimal } from "./parse.js";
import { MAX_LINE_LENGTH } from "./reasons.js";
import { createLineSplitter } from "./splitter.js";

const bundled = [...loadProfiles().values()].filter((p): p is LineProfile => p.kind === "serial-line");
const byId = new Map<string, LineProfile>();
const synthetic = (format: unknown, points: unknown[]) =>
  lineProfileSchema.parse({
    kind: "serial-line",
    id: "fuzz/line",
    vendor: "fuzz",
    model: "fuzz",
    source: { title: "generated for the fuzz test", url: "https://example.com/" },
    format,
    points,
  }) as LineProfile;
// The bundled profiles are regex and NMEA; these cover the csv and key=value formats.
const pointsOf = (field: (i: number) => string) => [
  { id: "n", name: "n", field: field(0), scale: 1.852 },
  { id: "b", name: "b", field: field(1), type: "bool" },
  { id: "s", name: "s", field: field(2), type: "string" },
  { id: "t", name: "t", field: field(3), type: "bool", boolText: { true: "ON", false: "OFF" } },
];
const profiles: LineProfile[] = [
  ...bundled,
  synthetic(
    { type: "csv", separator: ";", columns: ["a", "b", "c", "d", ""] },
    pointsOf((i) => "abcd"[i] as string),
  ),
  synthetic(
    { type: "keyvalue" },
    pointsOf((i) => `k${i}`),
  ),
];
for (const [i, p] of profiles.entries()) byId.set(`${p.id}#${i}`, p);
// Properties draw a profile's key, so a counterexample names it instead of printing all of it.
const profileKey = (filter: (p: LineProfile) => boolean = () => true) =>
  fc.constantFrom(...[...byId].filter(([, p]) => filter(p)).map(([key]) => key));
const profile = (key: string) => byId.get(key) as LineProfile;

const POINT_REASONS = ["empty-field", "not-a-number", "not-a-bool", "missing-field", "bad-coordinate"];
const LINE_REASONS = [
  "garbage",
  "too-long",
  "partial",
  "no-checksum",
  "checksum-mismatch",
  "column-count",
  "no-match",
];
const KIND = { number: "number", bool: "boolean", string: "string" } as const;

/** Good readings carry a finite value of the point's type; bad ones null and a known reason. */
function checkReadings(profile: LineProfile, readings: Reading[]): void {
  for (const r of readings) {
    const point = profile.points.find((p) => p.id === r.point);
    expect(point).toBeDefined();
    if (r.quality === "good") {
      expect(typeof r.value).toBe(KIND[point?.type ?? "number"]);
      if (typeof r.value === "number") expect(Number.isFinite(r.value)).toBe(true);
      if (point?.nmea)
        expect(Math.abs(r.value as number)).toBeLessThanOrEqual(point.nmea === "latitude" ? 90 : 180);
    } else {
      expect(r.value).toBeNull();
      expect(POINT_REASONS).toContain(r.reason);
    }
  }
}

function readLine(profile: LineProfile, line: string) {
  const result = lineToReadings(profile, profile.points, line, { device: "d1", ts: 1 });
  if ("dropped" in result) expect([...LINE_REASONS, ...POINT_REASONS]).toContain(result.dropped);
  else checkReadings(profile, result.readings);
  return result;
}

const field = fc.oneof(
  fc.constantFrom(
    "",
    "0",
    "1",
    "A",
    "V",
    "N",
    "S",
    "E",
    "W",
    "ON",
    "OFF",
    "4717.11399",
    "00833.91590",
    "9959.9999",
    "18000.0000",
    "0.1e-400",
    "NaN",
    "Infinity",
    "+.5",
    "-0",
  ),
  // Numbers at the edge of a double: finite as printed, maybe not once scaled.
  fc.constantFrom("1e308", "-1e308", "1.7976931348623157e308", "9.9e307"),
  fc.stringMatching(/^[0-9.+-eE]{1,12}$/),
  fc.string({ maxLength: 8 }),
);

/** NMEA sentences with any fields, for listed and unlisted sentence types. */
const nmeaBody = fc
  .tuple(
    fc.constantFrom("GP", "GN", "BD", "P", "gp"),
    fc.constantFrom("GGA", "RMC", "GSV", "XYZ", ""),
    fc.array(field, { maxLength: 16 }),
  )
  .map(([talker, sentence, fields]) => [`${talker}${sentence}`, ...fields].join(","));
const hex = (n: number) => n.toString(16).toUpperCase().padStart(2, "0");

// Generous: the runs are bounded, but a busy CI machine may be slow.
describe("serial line parsers (fuzzed)", { timeout: 30_000 }, () => {
  it("turn any text into valid readings or a counted drop reason", () => {
    const sampleLines = profiles.flatMap((p) => p.testdata.map((t) => t.line));
    const line = fc.oneof(
      hostileText(),
      fc.string({ unit: "binary", maxLength: 200 }),
      fc
        .array(field, { maxLength: 8 })
        .map((f) => f.join(fc.sample(fc.constantFrom(",", ";", "="), 1)[0] as string)),
      fc
        .array(fc.tuple(fc.constantFrom("k0", "k1", "k2", "k3", "=", ""), field), { maxLength: 6 })
        .map((kv) => kv.map(([k, v]) => `${k}=${v}`).join(",")),
      fc.constantFrom(...sampleLines).chain((l) => damagedText(l)),
      fc.integer({ min: MAX_LINE_LENGTH - 2, max: MAX_LINE_LENGTH + 2 }).map((n) => "1".repeat(n)),
    );
    fc.assert(
      fc.property(profileKey(), line, (key, l) => {
        readLine(profile(key), l);
      }),
      { numRuns: 600 },
    );
  });

  it("read NMEA sentences with a right checksum into valid readings", () => {
    const gps = profileKey((p) => p.format.type === "nmea");
    fc.assert(
      fc.property(gps, nmeaBody, (key, body) => {
        readLine(profile(key), `$${body}*${hex(nmeaChecksum(body))}`);
      }),
      { numRuns: 500 },
    );
  });

  it("never read a good value from a sentence with a wrong or missing checksum", () => {
    const gps = profileKey((p) => p.format.type === "nmea");
    const wrong = fc.tuple(
      nmeaBody,
      fc.integer({ min: 1, max: 255 }),
      fc.constantFrom("upper", "lower", "short", "none"),
    );
    fc.assert(
      fc.property(gps, wrong, (key, [body, flip, form]) => {
        const sum = nmeaChecksum(body) ^ flip;
        const tail = {
          upper: `*${hex(sum)}`,
          lower: `*${hex(sum).toLowerCase()}`,
          short: `*${hex(sum)[0]}`,
          none: "",
        }[form];
        const result = readLine(profile(key), `$${body}${tail}`);
        expect(result).toEqual({
          dropped: form === "none" && !body.includes("*") ? "no-checksum" : "checksum-mismatch",
        });
      }),
      { numRuns: 400 },
    );
  });

  it("parseDecimal and nmeaDegrees never throw and give finite numbers", () => {
    fc.assert(
      fc.property(
        fc.oneof(field, hostileText()),
        fc.constantFrom("N", "S", "E", "W", "", "X"),
        (raw, hemi) => {
          const d = parseDecimal(raw);
          if (d) expect(Number.isFinite(d.value) && d.value === Number(raw)).toBe(true);
          for (const axis of ["latitude", "longitude"] as const) {
            const deg = nmeaDegrees(raw, hemi, axis);
            if (typeof deg === "number")
              expect(Math.abs(deg)).toBeLessThanOrEqual(axis === "latitude" ? 90 : 180);
            else expect(["bad-coordinate", "empty-field"]).toContain(deg);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("the line splitter keeps every line within bounds, whatever bytes and pauses arrive", () => {
    const chunks = fc.array(
      fc.tuple(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc
            .constantFrom("$GPGGA,1*00\r\n", "\r", "\n", "$", "x".repeat(300))
            .map((s) => Buffer.from(s, "latin1")),
        ),
        fc.nat({ max: 1500 }),
      ),
      { maxLength: 40 },
    );
    const options = fc.record({
      delimiter: fc.constantFrom("\r\n", "\n", "\r", "END"),
      startBytes: fc.constantFrom(undefined, "$!"),
      maxLength: fc.integer({ min: 1, max: 200 }),
      opened: fc.boolean(),
    });
    fc.assert(
      fc.property(options, chunks, (o, cs) => {
        const lines: Buffer[] = [];
        const drops: string[] = [];
        const splitter = createLineSplitter({
          delimiter: o.delimiter,
          gapMs: 1000,
          startBytes: o.startBytes,
          maxLength: o.maxLength,
          ...(o.opened ? { openedAt: 0 } : {}),
          onLine: (l) => lines.push(l),
          onDrop: (r) => drops.push(r),
        });
        let now = 0;
        for (const [bytes, pause] of cs) {
          now += pause;
          splitter.push(Buffer.from(bytes), now);
        }
        splitter.end();
        for (const l of lines) {
          expect(l.length).toBeLessThanOrEqual(o.maxLength);
          expect(l.includes(Buffer.from(o.delimiter, "latin1"))).toBe(false);
          if (o.startBytes) expect([...l.subarray(1)].some((b) => b === 0x24 || b === 0x21)).toBe(false);
        }
        for (const d of drops) expect(["partial", "too-long"]).toContain(d);
      }),
      { numRuns: 400 },
    );
  });
});
