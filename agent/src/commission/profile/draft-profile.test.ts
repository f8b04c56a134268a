import { parseProfile } from "@tidegate/profiles";
import { describe, expect, it } from "vitest";
import { checkProfile } from "../../profile-check/check.js";
import {
  type DraftProfile,
  DraftProfileError,
  draftProfileYaml,
  draftToProfile,
  matchesDisplay,
  testdataFromReadings,
} from "./draft-profile.js";

const draft = (table: DraftProfile["table"]): DraftProfile => ({
  profile: {
    id: "acme/th1",
    vendor: "Acme",
    model: "TH1",
    title: "TH1 Modbus map",
    url: "https://example.com/th1.pdf",
  },
  table,
});
const table = [
  { address: "30002", name: "Temperature", type: "int16", scale: "0.1", unit: "°C" },
  { address: "30003", name: "Humidity", type: "uint16", scale: "0.1", unit: "%RH" },
  { address: "40005", name: "Power", type: "float32", order: "CDAB", unit: "W" },
  { address: "40258", name: "Address", type: "uint16", access: "RW" },
];

function issuesOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof DraftProfileError) return err.issues;
    throw err;
  }
  throw new Error("expected a DraftProfileError");
}

describe("a profile built from the commissioning page's register table", () => {
  it("becomes a profile with the manual's addresses, types, orders, scales and access", () => {
    const { profile } = draftToProfile(draft(table));
    expect(
      profile.points.map((p) => [p.id, p.register.table, p.register.address, p.register.order, p.scale]),
    ).toEqual([
      ["temperature", "input", 1, "ABCD", 0.1],
      ["humidity", "input", 2, "ABCD", 0.1],
      ["power", "holding", 4, "CDAB", 1],
      ["address", "holding", 257, "ABCD", 1],
    ]);
    expect(profile.points[3]?.access).toBe("readwrite");
    expect(profile.source).toEqual({ title: "TH1 Modbus map", url: "https://example.com/th1.pdf" });
  });

  it("names the row and column of every problem at once", () => {
    expect(
      issuesOf(() =>
        draftToProfile(
          draft([
            { address: "30002", name: "Temperature", type: "int17" },
            { address: "2", name: "Humidity", type: "uint16", order: "XYZ" },
          ]),
        ),
      ),
    ).toEqual([
      expect.stringMatching(/^row 1 \("Temperature"\), column type: 'int17' is not a register type/),
      expect.stringMatching(/^row 2 \("Humidity"\), column address: '2' is not in a manual's notation/),
      expect.stringMatching(/^row 2 \("Humidity"\), column order: 'XYZ' is not a byte order/),
    ]);
  });

  it("takes min, max and a bit of a register, as from-csv does, and names the row and column of a bad one", () => {
    const { profile } = draftToProfile(
      draft([
        { address: "30002", name: "Temperature", type: "int16", scale: "0.1", min: "-40", max: "85" },
        { address: "40010", name: "Alarm relay", type: "bool", bit: "3" },
      ]),
    );
    expect(profile.points[0]).toMatchObject({ min: -40, max: 85 });
    expect(profile.points[1]?.register).toMatchObject({ table: "holding", address: 9, type: "bool", bit: 3 });
    expect(
      issuesOf(() =>
        draftToProfile(
          draft([
            { address: "30002", name: "Temperature", type: "int16", min: "85", max: "-40" },
            { address: "30003", name: "Humidity", type: "uint16", min: "low" },
          ]),
        ),
      ),
    ).toEqual([
      'row 1 ("Temperature"), column max: -40 is below min 85: the range runs from min to max',
      "row 2 (\"Humidity\"), column min: 'low' is not a number",
    ]);
    // What the profile schema finds is named the same way, once the table reads.
    expect(
      issuesOf(() =>
        draftToProfile(
          draft([
            { address: "40010", name: "Alarm relay", type: "bool", bit: "16" },
            { address: "40011", name: "Door", type: "bool" },
          ]),
        ),
      ),
    ).toEqual([
      expect.stringMatching(/^row 1 \("Alarm relay"\), column bit: /),
      'row 2 ("Door"), column bit: a bool in a register needs bit: 0..15',
    ]);
  });

  it("checks the decoded registers against the display, to its digits, and keeps them as testdata", () => {
    const { input, profile } = draftToProfile(draft(table));
    const testdata = testdataFromReadings(profile, [
      { point: "temperature", raw: [0x00e1], display: "22.5" },
      { point: "power", raw: [0x6666, 0x4166], display: "14.4" },
      { point: "address", raw: [7], display: "7" },
    ]);
    expect(testdata).toEqual([
      { point: "temperature", raw: [0x00e1], value: 22.5 },
      { point: "power", raw: [0x6666, 0x4166], value: expect.closeTo(14.4, 5) },
      { point: "address", raw: [7], value: 7 },
    ]);
    // The file checks as `tidegate-agent profile check` does: its testdata decode as stated.
    const yaml = draftProfileYaml(input, testdata, "tina");
    expect(yaml).toMatch(/^# Built on the gateway's commissioning page by tina/);
    const check = checkProfile(parseProfile(yaml, "th1.yaml"));
    expect(check).toEqual({ compared: 3, failures: [] });
  });

  it("refuses readings the table does not decode to what the display shows, naming type, order and scale", () => {
    const { profile } = draftToProfile(draft(table));
    expect(
      issuesOf(() =>
        testdataFromReadings(profile, [
          { point: "temperature", raw: [0x00e1], display: "225" },
          { point: "power", raw: [0x4166, 0x6666], display: "14.4" },
          { point: "wind", raw: [1], display: "1" },
          { point: "humidity", raw: [0x01f4], display: "fifty" },
        ]),
      ),
    ).toEqual([
      "readings.0 (temperature): the display shows 225, but registers 00e1 decode to 22.5 with this table; check its type, byte order and scale",
      expect.stringMatching(
        /^readings\.1 \(power\): the display shows 14\.4, but registers 4166 6666 decode to /,
      ),
      "readings.2: no point 'wind' in the table; points: temperature, humidity, power, address",
      "readings.3 (humidity): 'fifty' is not a number",
    ]);
  });

  it("matches a display by its own resolution", () => {
    expect(matchesDisplay(230.10000610351562, "230.1")).toBe(true);
    expect(matchesDisplay(230.14, "230.1")).toBe(true);
    expect(matchesDisplay(230.16, "230.1")).toBe(false);
    expect(matchesDisplay(230.4, "230")).toBe(true);
    expect(matchesDisplay(12.5, "12,5")).toBe(true);
    expect(matchesDisplay(true, "on")).toBe(true);
    expect(matchesDisplay(false, "1")).toBe(false);
    expect(matchesDisplay("EM10", " EM10 ")).toBe(true);
  });
});
