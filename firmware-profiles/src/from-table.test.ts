import { describe, expect, it } from "vitest";
import { pointIdFromName, profileFromTable, RegisterTableError } from "./from-table.js";
import { parseProfile } from "./load.js";
import type { Profile } from "./schema.js";

const meta = {
  id: "acme/em1",
  vendor: "Acme",
  model: "EM1",
  source: { title: "Acme EM1 Modbus map", version: "1.0", url: "https://example.com/em1.pdf" },
};

/** The problems a table is refused for, one per line. */
function issuesOf(csv: string): readonly string[] {
  try {
    profileFromTable(csv, meta, "em1.csv");
  } catch (err) {
    if (err instanceof RegisterTableError) return err.issues;
    throw err;
  }
  throw new Error("expected the table to be refused");
}

describe("profileFromTable", () => {
  it("turns a manual's register table into a profile that validates, with its examples as testdata", () => {
    const csv = [
      "Address,Name,Type,Byte order,Scale,Unit,Access,Min,Max,Raw,Value",
      "30001,Voltage L1,float,ABCD,,V,R,,,4366 3334,230.20001220703125",
      "30013,Active power,int32,CDAB,0.1,W,RO,,,FFF6 FFFF,-1",
      "40021,Modbus address,uint16,,,,R/W,1,247,0001,1",
      "464513,Serial number,u32,,,,r,,,,",
    ].join("\n");
    const yaml = profileFromTable(csv, meta, "em1.csv");
    expect(yaml).toMatch(/^# yaml-language-server/);
    const profile = parseProfile(yaml, "acme/em1.yaml") as Profile;
    expect(profile.points.map((p) => [p.id, p.register.table, p.register.address, p.register.type])).toEqual([
      ["voltage_l1", "input", 0, "float32"],
      ["active_power", "input", 12, "int32"],
      ["modbus_address", "holding", 20, "uint16"],
      ["serial_number", "holding", 64512, "uint32"],
    ]);
    const address = profile.points[2];
    expect(address).toMatchObject({ access: "readwrite", min: 1, max: 247 });
    expect(profile.points[1]).toMatchObject({ scale: 0.1, unit: "W", register: { order: "CDAB" } });
    expect(profile.testdata).toEqual([
      { point: "voltage_l1", raw: [0x4366, 0x3334], value: 230.20001220703125 },
      { point: "active_power", raw: [0xfff6, 0xffff], value: -1 },
      { point: "modbus_address", raw: [1], value: 1 },
    ]);
    expect(profile.source).toEqual(meta.source);
  });

  it("reads 0-based addresses, decimal or hex, when a table column names the table", () => {
    const csv = "table,address,name,type\ninput,0x001C,Baud rate,float32\nholding,7,Setpoint,int16\n";
    const profile = parseProfile(profileFromTable(csv, meta), "x.yaml") as Profile;
    expect(profile.points.map((p) => [p.register.table, p.register.address])).toEqual([
      ["input", 28],
      ["holding", 7],
    ]);
  });

  it("names the row and column of every problem at once", () => {
    const issues = issuesOf(
      [
        "address,name,type,order,access,scale",
        "30001,Voltage,flot,ABCD,R,",
        "",
        "12,Current,float32,ABCD,R,",
        "30009,Power,float32,WXYZ,maybe,ten",
      ].join("\n"),
    );
    expect(issues).toEqual([
      `row 2 ("Voltage"), column type: 'flot' is not a register type; use one of int16, uint16, int32, uint32, int64, uint64, float32, float64, bool, string`,
      `row 4 ("Current"), column address: '12' is not in a manual's notation (5 or 6 digits starting 0, 1, 3 or 4, like 30001); for 0-based addresses add a table column`,
      `row 5 ("Power"), column order: 'WXYZ' is not a byte order; use ABCD, DCBA, BADC, CDAB (A = most significant byte)`,
      `row 5 ("Power"), column scale: 'ten' is not a number`,
      `row 5 ("Power"), column access: 'maybe' is not an access; use read (R, RO) or readwrite (RW, R/W)`,
    ]);
  });

  it("says which required column the header lacks", () => {
    expect(issuesOf("register,unit\n30001,V\n")[0]).toMatch(
      /^header \(row 1\): no 'name' column \(headers seen: register, unit\); accepted names: name, parameter, description$/,
    );
  });

  it("reports what the schema refuses at the row it came from", () => {
    const issues = issuesOf("address,name,type\n30001,Voltage,float32\n30003,Voltage,float32\n");
    expect(issues).toEqual([
      `row 3 ("Voltage"), column id: point id 'voltage' is row 2's too: give one of them another name or an id column`,
    ]);
    expect(issuesOf("address,name,type\n00001,Relay,uint16\n30005,Label,string\n")).toEqual([
      `row 2 ("Relay"), column type: a coil holds one bit: type must be bool`,
      `row 3 ("Label"), column length: a string needs length (registers)`,
    ]);
  });

  it("makes point ids from names", () => {
    expect(pointIdFromName("Phase 1 line to neutral volts (V)")).toBe("phase_1_line_to_neutral_volts_v");
    expect(pointIdFromName("Température ambiante")).toBe("temperature_ambiante");
    expect(pointIdFromName("%%")).toBe("point");
  });
});
