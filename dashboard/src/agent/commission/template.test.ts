import { describe, expect, it } from "vitest";
import { parseUnitIds, templateCsv } from "./template.js";

describe("a template for N identical devices on one bus", () => {
  it("reads unit ids as ranges and lists, each once", () => {
    expect(parseUnitIds("1-4, 9")).toEqual([1, 2, 3, 4, 9]);
    expect(parseUnitIds("7 31;200 7")).toEqual([7, 31, 200]);
    expect(parseUnitIds("5-3")).toBe("5-3: the range runs backwards");
    expect(parseUnitIds("1-300")).toBe("1-300: unit ids go up to 255 (247 on RS-485)");
    expect(parseUnitIds("x")).toBe("'x' is not a unit id or a range like 1-10");
    expect(parseUnitIds(" ")).toBe("give unit ids, like 1-10 or 1, 3, 7");
  });

  it("becomes the CSV import's rows, one device per unit id, the serial setting on RTU only", () => {
    const base = {
      base: "meter",
      profile: "eastron/sdm120",
      address: "/dev/serial/by-id/usb-FTDI,x",
      serial: "9600 8E1",
      unitIds: "1-2",
      pollIntervalMs: "1000",
    };
    expect(templateCsv({ ...base, transport: "rtu" })).toEqual({
      csv: [
        "id,profile,transport,address,unit_id,poll_interval_ms,serial,points",
        'meter-1,eastron/sdm120,rtu,"/dev/serial/by-id/usb-FTDI,x",1,1000,9600 8E1,',
        'meter-2,eastron/sdm120,rtu,"/dev/serial/by-id/usb-FTDI,x",2,1000,9600 8E1,',
        "",
      ].join("\n"),
      ids: ["meter-1", "meter-2"],
    });
    const tcp = templateCsv({ ...base, transport: "tcp", address: "10.0.0.5:502", unitIds: "3" });
    expect(tcp).toMatchObject({
      csv: expect.stringContaining("\nmeter-3,eastron/sdm120,tcp,10.0.0.5:502,3,1000,,\n"),
    });
    expect(templateCsv({ ...base, transport: "tcp", unitIds: "a-b" })).toEqual({
      error: "'a-b' is not a unit id or a range like 1-10",
    });
  });
});
