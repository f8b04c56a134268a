import { loadProfiles } from "@tidegate/profiles";
import { describe, expect, it } from "vitest";
import { deviceSchema } from "../../config/schema.js";
import { devicesToCsv, parseDevicesCsv } from "./devices-csv.js";

const profiles = loadProfiles();
const running = [
  deviceSchema.parse({
    id: "meter-1",
    profile: "eastron/sdm120",
    transport: { type: "rtu", port: "/dev/ttyUSB0", baudRate: 9600, parity: "even" },
    unitId: 1,
  }),
];
const ctx = { devices: running, profiles };
const HEADER = "id,profile,transport,address,unit_id,poll_interval_ms,serial,points";

describe("devices as CSV", () => {
  it("reads good rows into devices: entries, defaults filled by the config schema", () => {
    const csv = `\uFEFF${HEADER}
meter-2,eastron/sdm120,rtu,/dev/ttyUSB0,2,500,9600 8E1,voltage current
climate-1,sonbest/xy-md02,tcp,10.0.0.5:5020,9,,,
gw-1,eastron/sdm630,rtu-over-tcp,10.0.0.6:4001,3,2000,,

`;
    const { devices, errors } = parseDevicesCsv(csv, ctx);
    expect(errors).toEqual([]);
    expect(devices).toEqual([
      expect.objectContaining({
        id: "meter-2",
        unitId: 2,
        pollIntervalMs: 500,
        points: ["voltage", "current"],
        transport: expect.objectContaining({
          type: "rtu",
          port: "/dev/ttyUSB0",
          baudRate: 9600,
          parity: "even",
        }),
      }),
      expect.objectContaining({
        id: "climate-1",
        pollIntervalMs: 1000,
        transport: { type: "tcp", host: "10.0.0.5", port: 5020 },
      }),
      expect.objectContaining({
        id: "gw-1",
        transport: expect.objectContaining({ type: "rtu-over-tcp", host: "10.0.0.6" }),
      }),
    ]);
    expect(devices[1]).not.toHaveProperty("points");
  });

  it("names the row and column of every error and keeps no device when there is one", () => {
    const csv = `${HEADER}
meter-1,eastron/sdm120,rtu,/dev/ttyUSB0,1,,9600 8E1,
a b,eastron/sdm120,tcp,h:502,1,,,
ok-1,acme/none,tcp,h:502,1,,,
ok-2,eastron/sdm120,tcp,h:502,x,50,,
ok-3,eastron/sdm120,usb,h,1,,,
ok-4,eastron/sdm120,rtu,/dev/ttyUSB0,4,,19200 8N1,
ok-5,eastron/sdm120,rtu,/dev/ttyUSB1,5,,9600 7E1,
ok-6,eastron/sdm120,tcp,h:502,6,,,wind
ok-7,eastron/sdm120,tcp,h:502,7,,,
ok-7,eastron/sdm120,tcp,h:502,8,,,
`;
    const { devices, errors } = parseDevicesCsv(csv, ctx);
    expect(devices).toEqual([]);
    expect(errors.map((e) => `${e.row}:${e.column}`)).toEqual([
      "2:id",
      "3:id",
      "4:profile",
      "5:unit_id",
      "6:transport",
      "7:serial",
      "8:serial",
      "9:points",
      "11:id",
    ]);
    expect(errors[0]?.message).toBe("a device 'meter-1' exists already on this gateway");
    expect(errors[3]?.message).toBe("'x' is not a whole number");
    expect(errors[5]?.message).toMatch(
      /\/dev\/ttyUSB0 runs at 9600 8E1 \(device meter-1\); devices on one serial port share one setting/,
    );
    expect(errors[6]?.message).toMatch(/'9600 7E1' is no line setting/);
    expect(errors[8]?.message).toBe("the id 'ok-7' is also in row 10");
  });

  it("names the row of a schema error in its column, and a multi-line cell's row by where it ends", () => {
    const { errors } = parseDevicesCsv(`${HEADER}\nslow,eastron/sdm120,tcp,h:502,1,50,,\n`, ctx);
    expect(errors).toEqual([{ row: 2, column: "poll_interval_ms", message: expect.stringMatching(/>=100/) }]);
    const { errors: noPort } = parseDevicesCsv(
      `${HEADER}\ngw,eastron/sdm120,rtu-over-tcp,10.0.0.6,1,,,\n`,
      ctx,
    );
    expect(noPort).toEqual([
      {
        row: 2,
        column: "address",
        message: expect.stringMatching(/expected number.*\(address: host:port for tcp/),
      },
    ]);
    const { errors: quoted } = parseDevicesCsv(
      `${HEADER}\n"two\nlines",eastron/sdm120,tcp,h:502,1,,,\n`,
      ctx,
    );
    expect(quoted).toEqual([{ row: 3, column: "id", message: "use letters, digits, '_' and '-' only" }]);
  });

  it("checks the header first: unknown and missing columns, and a file with no rows", () => {
    expect(
      parseDevicesCsv("id,profile,adress\n", ctx).errors.map((e) => `${e.row}:${e.column}:${e.message}`),
    ).toEqual([
      "1:(row):unknown column 'adress'; the columns are id, profile, transport, address, unit_id, poll_interval_ms, serial, points",
      "1:transport:the column 'transport' is missing from the header",
      "1:address:the column 'address' is missing from the header",
    ]);
    expect(parseDevicesCsv(`${HEADER}\n`, ctx).errors).toEqual([
      { row: 2, column: "(row)", message: "no devices: the file has only its header" },
    ]);
    expect(parseDevicesCsv(`${HEADER}\nx,"unclosed\n`, ctx).errors[0]?.message).toMatch(/^not valid CSV: /);
  });

  it("exports the Modbus devices in the same columns, which read back as the same devices", () => {
    const csv = devicesToCsv([
      ...running,
      deviceSchema.parse({
        id: "c",
        profile: "sonbest/xy-md02",
        transport: { type: "tcp", host: "h", port: 5020 },
        points: ["temperature"],
      }),
    ]);
    expect(csv.split("\n")[0]).toBe(HEADER);
    expect(csv.split("\n")[1]).toBe("meter-1,eastron/sdm120,rtu,/dev/ttyUSB0,1,1000,9600 8E1,");
    const back = parseDevicesCsv(csv, { devices: [], profiles });
    expect(back.errors).toEqual([]);
    expect(back.devices.map((d) => d.transport)).toEqual([
      running[0]?.transport,
      { type: "tcp", host: "h", port: 5020 },
    ]);
  });
});
