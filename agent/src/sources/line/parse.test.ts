import { type LineProfileInput, lineProfileSchema } from "@tidegate/profiles";
import { describe, expect, it } from "vitest";
import { lineToReadings, nmeaChecksum, nmeaDegrees, parseDecimal, parseLine } from "./parse.js";

const source = { title: "t", url: "https://example.com/manual.pdf" };
function profile(format: LineProfileInput["format"], points: LineProfileInput["points"]) {
  return lineProfileSchema.parse({
    kind: "serial-line",
    id: "acme/x",
    vendor: "Acme",
    model: "X",
    source,
    format,
    points,
  });
}
const ctx = { device: "dev-1", ts: 1000 };
function values(p: ReturnType<typeof profile>, line: string) {
  const r = lineToReadings(p, p.points, line, ctx);
  if ("dropped" in r) return { dropped: r.dropped };
  return Object.fromEntries(
    r.readings.map((x) => [x.point, x.quality === "good" ? x.value : `bad:${x.reason}`]),
  );
}

const gasCsv = profile({ type: "csv", separator: ";", columns: ["co2", "", "t", "alarm"] }, [
  { id: "co2", name: "CO2", field: "co2" },
  { id: "t", name: "Temperature", field: "t", scale: 0.1, offset: -40 },
  { id: "alarm", name: "Alarm", field: "alarm", type: "bool" },
]);

describe("csv", () => {
  it("maps columns to points, ignores unnamed columns, applies scale and offset without noise", () => {
    expect(values(gasCsv, "415; x ;653;0")).toEqual({ co2: 415, t: 25.3, alarm: false });
    expect(values(gasCsv, "415;x;1234.5;on")).toEqual({ co2: 415, t: 83.45, alarm: true });
  });
  it("drops a line with the wrong column count", () => {
    expect(values(gasCsv, "415;x;653")).toEqual({ dropped: "column-count" });
    expect(values(gasCsv, "415;x;653;0;9")).toEqual({ dropped: "column-count" });
  });
  it("gives a point that does not parse a bad reading with the reason, never NaN", () => {
    expect(values(gasCsv, "415;x;--.-;maybe")).toEqual({
      co2: 415,
      t: "bad:not-a-number",
      alarm: "bad:not-a-bool",
    });
    expect(values(gasCsv, "415;x;;0")).toEqual({ co2: 415, t: "bad:empty-field", alarm: false });
    for (const text of ["NaN", "Infinity", "1e999", "0x10", "1,5", "12abc"])
      expect(parseDecimal(text)).toBeUndefined();
  });
  it("gives a bad reading, never Infinity, for a finite number that overflows once scaled", () => {
    const knots = profile({ type: "csv", columns: ["speed", "n"] }, [
      { id: "speed", name: "Speed", field: "speed", scale: 1.852 },
      { id: "n", name: "N", field: "n" },
    ]);
    expect(values(knots, "1e308,1")).toEqual({ speed: "bad:not-a-number", n: 1 });
  });
  it("drops a line where no point reads at all (a header line)", () => {
    expect(values(gasCsv, "co2;x;t;alarm")).toEqual({ dropped: "not-a-number" });
  });
});

describe("keyvalue", () => {
  const kv = profile({ type: "keyvalue", pairSeparator: " ", kvSeparator: ":" }, [
    { id: "o2", name: "O2", field: "O2" },
    { id: "state", name: "State", field: "ST", type: "string" },
  ]);
  it("reads the keys it knows, skips bare words and keys it does not", () => {
    expect(values(kv, "O2:20.9 CO:3 ST:RUN OK")).toEqual({ o2: 20.9, state: "RUN" });
    expect(values(kv, "ST:WARMUP")).toEqual({ state: "WARMUP" });
  });
  it("drops a line with none of the profile's keys", () => {
    expect(values(kv, "CO:3 H2S:0")).toEqual({ dropped: "no-match" });
  });
});

describe("regex", () => {
  const scale = profile({ type: "regex", pattern: "^S (?<st>[SD]) +(?<w>[-0-9.]+) (?<u>\\S+)$" }, [
    { id: "w", name: "Weight", field: "w" },
    { id: "stable", name: "Stable", field: "st", type: "bool", boolText: { true: "S", false: "D" } },
    { id: "u", name: "Unit", field: "u", type: "string" },
  ]);
  it("reads named groups", () => {
    expect(values(scale, "S S     100.00 g")).toEqual({ w: 100, stable: true, u: "g" });
    expect(values(scale, "S D      -3.5 kg")).toEqual({ w: -3.5, stable: false, u: "kg" });
  });
  it("drops a line that does not match", () => {
    expect(values(scale, "S +")).toEqual({ dropped: "no-match" });
  });
});

describe("any format", () => {
  it("drops non-printable bytes as garbage and over-long lines as too-long", () => {
    expect(values(gasCsv, "41\x005;x;653;0")).toEqual({ dropped: "garbage" });
    expect(values(gasCsv, "\x1b\x7f\x01\x02")).toEqual({ dropped: "garbage" });
    expect(values(gasCsv, `${"9".repeat(5000)};x;1;0`)).toEqual({ dropped: "too-long" });
  });
  it("ignores blank lines and tolerates a stray CR or LF at the ends", () => {
    expect(lineToReadings(gasCsv, gasCsv.points, "  ", ctx)).toEqual({ readings: [], ignored: true });
    expect(values(gasCsv, "\n415;x;653;0\r")).toEqual({ co2: 415, t: 25.3, alarm: false });
  });
  it("stamps readings with the line's context and emits only the selected points", () => {
    const r = lineToReadings(gasCsv, gasCsv.points.slice(0, 1), "415;x;653;0", ctx);
    expect(r).toEqual({
      readings: [{ ts: 1000, device: "dev-1", point: "co2", value: 415, quality: "good" }],
    });
  });
});

describe("nmea", () => {
  const gps = profile({ type: "nmea", sentences: ["GGA", "RMC"] }, [
    { id: "lat", name: "Lat", field: "GGA.2", nmea: "latitude" },
    { id: "lon", name: "Lon", field: "GGA.4", nmea: "longitude" },
    { id: "sats", name: "Satellites", field: "GGA.7" },
    { id: "alt", name: "Altitude", field: "GGA.9" },
    { id: "sog", name: "Speed", field: "RMC.7", scale: 1.852 },
    { id: "mode", name: "Mode", field: "RMC.12", type: "string" },
  ]);
  const gga = "$GPGGA,092725.00,4717.11399,N,00833.91590,E,1,8,1.01,499.6,M,48.0,M,,0*5B";

  it("validates the XOR checksum", () => {
    expect(nmeaChecksum("GPGGA,092725.00,4717.11399,N,00833.91590,E,1,8,1.01,499.6,M,48.0,M,,0")).toBe(0x5b);
    expect(values(gps, gga)).toEqual({ lat: 47.285233167, lon: 8.565265, sats: 8, alt: 499.6 });
    expect(values(gps, gga.replace("*5B", "*5b"))).toMatchObject({ sats: 8 });
  });
  it("drops a wrong or missing checksum", () => {
    expect(values(gps, gga.replace("*5B", "*5C"))).toEqual({ dropped: "checksum-mismatch" });
    expect(values(gps, gga.replace("499.6", "499.7"))).toEqual({ dropped: "checksum-mismatch" });
    expect(values(gps, gga.replace("*5B", "*G1"))).toEqual({ dropped: "checksum-mismatch" });
    expect(values(gps, gga.replace("*5B", ""))).toEqual({ dropped: "no-checksum" });
  });
  it("takes any talker id to the sentence type", () => {
    for (const talker of ["GN", "GL", "GA", "BD"]) {
      const body = `${talker}GGA,092725.00,4717.11399,N,00833.91590,E,1,8,1.01,499.6,M,48.0,M,,0`;
      expect(values(gps, `$${body}*${nmeaChecksum(body).toString(16).padStart(2, "0")}`)).toMatchObject({
        sats: 8,
      });
    }
  });
  it("ignores sentences the profile does not list, and proprietary ones", () => {
    const gll = "$GPGLL,4717.11364,N,00833.91565,E,092321.00,A,A*60";
    expect(lineToReadings(gps, gps.points, gll, ctx)).toEqual({ readings: [], ignored: true });
    const pubx = "PUBX,00,081350.00,4717.113210,N";
    expect(parseLine(gps, `$${pubx}*${nmeaChecksum(pubx).toString(16).padStart(2, "0")}`)).toEqual({
      ok: true,
      ignored: true,
    });
  });
  it("drops the tail of a sentence cut at the start as partial", () => {
    expect(values(gps, "4717.11399,N,00833.91590,E,1,8,1.01,499.6,M,48.0,M,,0*5B")).toEqual({
      dropped: "partial",
    });
  });
  it("reads only the points of the sentence on the line; missing fields are bad readings", () => {
    const body = "GPRMC,083559.00,A,4717.11437,N,00833.91522,E,0.004,77.52,091202,,";
    const rmc21 = `$${body}*${nmeaChecksum(body).toString(16).padStart(2, "0")}`;
    expect(values(gps, rmc21)).toEqual({ sog: 0.007408, mode: "bad:missing-field" });
  });
  it("empty fields (no fix) read as bad, never as zero", () => {
    expect(values(gps, "$GPGGA,,,,,,0,00,99.99,,,,,,*48")).toEqual({
      lat: "bad:empty-field",
      lon: "bad:empty-field",
      sats: 0,
      alt: "bad:empty-field",
    });
  });
  it("converts ddmm.mmmm with hemisphere to signed decimal degrees", () => {
    expect(nmeaDegrees("4717.11399", "N", "latitude")).toBe(47.285233167);
    expect(nmeaDegrees("3352.128", "S", "latitude")).toBe(-33.8688);
    expect(nmeaDegrees("15112.5", "E", "longitude")).toBe(151.208333333);
    expect(nmeaDegrees("00007.2", "W", "longitude")).toBe(-0.12);
    expect(nmeaDegrees("0000.0000", "N", "latitude")).toBe(0);
    expect(nmeaDegrees("4760.5", "N", "latitude")).toBe("bad-coordinate");
    expect(nmeaDegrees("9100.0", "N", "latitude")).toBe("bad-coordinate");
    expect(nmeaDegrees("4717.11", "E", "latitude")).toBe("bad-coordinate");
    expect(nmeaDegrees("833.91", "E", "longitude")).toBe("bad-coordinate");
    expect(nmeaDegrees("4717.11", "", "latitude")).toBe("empty-field");
  });
});
