import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCollectorOptions } from "./options.js";

describe("store options", () => {
  it("defaults to SQLite", () => {
    expect(parseCollectorOptions({}, {})).toMatchObject({
      store: "sqlite",
      influxApi: "v2",
      influxDb: "tidegate",
    });
  });

  it("takes InfluxDB v2 settings from flags, the token from the environment or a file", () => {
    const env = { TIDEGATE_STORE: "influx", TIDEGATE_INFLUX_TOKEN: "s3cret" };
    const o = parseCollectorOptions({ "influx-url": "http://influx:8086", "influx-org": "acme" }, env);
    expect(o).toMatchObject({
      store: "influx",
      influxUrl: "http://influx:8086",
      influxOrg: "acme",
      influxToken: "s3cret",
    });
    const dir = mkdtempSync(join(tmpdir(), "tidegate-opts-"));
    writeFileSync(join(dir, "token"), "from-file\n");
    const fromFile = parseCollectorOptions(
      {
        store: "influx",
        "influx-url": "http://influx:8086",
        "influx-org": "acme",
        "influx-token-file": join(dir, "token"),
      },
      {},
    );
    expect(fromFile.influxToken).toBe("from-file");
    rmSync(dir, { recursive: true });
  });

  it("takes InfluxDB 1.x settings: user and password, retention", () => {
    const o = parseCollectorOptions(
      {
        store: "influx",
        "influx-api": "v1",
        "influx-url": "http://old:8086",
        "influx-user": "tg",
        "influx-retention-days": "90",
      },
      { TIDEGATE_INFLUX_PASSWORD: "pw" },
    );
    expect(o).toMatchObject({
      influxApi: "v1",
      influxUser: "tg",
      influxPassword: "pw",
      influxRetentionDays: 90,
    });
  });

  it("says which piece is missing and how to give it", () => {
    expect(() => parseCollectorOptions({ store: "influx" }, {})).toThrow(
      /--influx-url: required with --store influx[\s\S]*--influx-org: required with --influx-api v2[\s\S]*TIDEGATE_INFLUX_TOKEN or --influx-token-file/,
    );
    expect(() =>
      parseCollectorOptions(
        { store: "influx", "influx-api": "v1", "influx-url": "http://x:8086", "influx-user": "u" },
        {},
      ),
    ).toThrow(/needs a password: TIDEGATE_INFLUX_PASSWORD or --influx-password-file/);
    expect(() => parseCollectorOptions({ "influx-url": "http://x:8086" }, {})).toThrow(/add --store influx/);
    expect(() =>
      parseCollectorOptions({ store: "influx", "influx-url": "influx:8086", "influx-api": "v1" }, {}),
    ).toThrow(/--influx-url: expected an http\(s\) URL/);
    expect(() =>
      parseCollectorOptions(
        { store: "influx", "influx-url": "http://x:8086", "influx-org": "o", "influx-retention-days": "30" },
        { TIDEGATE_INFLUX_TOKEN: "t" },
      ),
    ).toThrow(/only with --influx-api v1/);
    expect(() => parseCollectorOptions({ store: "postgres" }, {})).toThrow(/--store:/);
  });
});
