import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Influxd, startInfluxd } from "./helpers/influxd.js";
import { repo } from "./helpers/install.js";

// docker/grafana/tidegate-influxdb.json against the schema the collector writes (read from its
// line writer) and against a real InfluxDB 1.x holding readings in that schema: every query runs
// as Grafana would send it, with the template variables filled in.

interface Target {
  query: string;
  rawQuery: boolean;
  resultFormat: string;
}
interface Dashboard {
  templating: { list: { name: string; type: string; query: string }[] };
  panels: { title: string; type: string; targets: Target[] }[];
}

const dashboard = JSON.parse(
  readFileSync(join(repo, "docker/grafana/tidegate-influxdb.json"), "utf8"),
) as Dashboard;
const queries = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, ...t })));
const variables = dashboard.templating.list.filter((v) => v.type === "query");

/** Measurement, tags and fields as collector/src/store/influx/lines.ts writes them. */
function writerSchema() {
  const source = readFileSync(join(repo, "collector/src/store/influx/lines.ts"), "utf8");
  const names = (re: RegExp) => [...source.matchAll(re)].map((m) => m[1] as string);
  return {
    measurement: names(/MEASUREMENT = "(\w+)"/g)[0],
    tags: names(/\.tag\("(\w+)"/g),
    fields: names(/\.\w+Field\("(\w+)"/g),
  };
}

/** What Grafana substitutes before it sends a query: the time range, the interval, "All" variables. */
const asGrafanaSends = (query: string) =>
  query
    .replaceAll("$timeFilter", "time > now() - 1h")
    .replaceAll("$__interval", "1m")
    .replace(/\$(gateway|device|point)\b/g, ".*");

describe("Grafana dashboard for InfluxDB", () => {
  it("queries only the measurement, tags and fields the collector writes", () => {
    const schema = writerSchema();
    expect(schema).toEqual({
      measurement: "reading",
      tags: ["gateway", "device", "point"],
      fields: expect.arrayContaining(["value", "text", "quality", "seq"]),
    });
    const known = new Set([...schema.tags, ...schema.fields, schema.measurement]);
    expect(queries.length).toBeGreaterThanOrEqual(3);
    for (const q of [...queries.map((t) => t.query), ...variables.map((v) => v.query)]) {
      expect(q).toContain('FROM "reading"');
      for (const [, name] of q.matchAll(/"(\w+)"/g)) expect(known, `${name} in ${q}`).toContain(name);
    }
    expect(variables.map((v) => v.name)).toEqual(["gateway", "device", "point"]);
    for (const v of variables) expect(v.query).toContain(`WITH KEY = "${v.name}"`);
  });

  it("charts mean(value) of good readings per interval and has a table of latest values", () => {
    const chart = dashboard.panels.find((p) => p.type === "timeseries");
    expect(chart?.targets[0]?.query).toMatch(
      /SELECT mean\("value"\).*"quality" = 'good'.*GROUP BY time\(\$__interval\)/,
    );
    const table = dashboard.panels.find((p) => p.type === "table");
    expect(table?.targets[0]?.resultFormat).toBe("table");
    expect(table?.targets[0]?.query).toMatch(/last\("value"\)/);
  });

  describe("against InfluxDB", () => {
    let influx: Influxd;
    beforeAll(async () => {
      influx = await startInfluxd();
      await influx.query("CREATE DATABASE tidegate");
      const now = Date.now();
      const lines = [
        `reading,gateway=plant-1,device=meter-1,point=voltage value=230.1,quality="good",seq=1i ${now - 120_000}`,
        `reading,gateway=plant-1,device=meter-1,point=voltage value=229.8,quality="good",seq=2i ${now - 60_000}`,
        `reading,gateway=plant-1,device=meter-1,point=voltage quality="bad",seq=3i ${now - 30_000}`,
        `reading,gateway=plant-2,device=gps-1,point=fix text="3D",quality="good",seq=1i ${now - 10_000}`,
      ];
      const res = await fetch(`${influx.url}/write?db=tidegate&precision=ms`, {
        method: "POST",
        body: lines.join("\n"),
      });
      expect(res.status, await res.text()).toBe(204);
    });
    afterAll(() => influx?.dispose());

    it("fills the template variables from SHOW TAG VALUES", async () => {
      const values = async (name: string) => {
        const v = variables.find((x) => x.name === name) as { query: string };
        const res = await influx.query(asGrafanaSends(v.query), "tidegate");
        expect(res.results[0]?.error).toBeUndefined();
        return (res.results[0]?.series?.[0]?.values ?? []).map((row) => row[1]);
      };
      expect(await values("gateway")).toEqual(["plant-1", "plant-2"]);
      expect(await values("device")).toEqual(["gps-1", "meter-1"]);
      expect(await values("point")).toEqual(["fix", "voltage"]);
    });

    it("every panel's query runs and finds the readings", async () => {
      for (const q of queries) {
        const res = await influx.query(asGrafanaSends(q.query), "tidegate");
        expect(res.results[0]?.error, `${q.panel}: ${q.query}`).toBeUndefined();
        expect(res.results[0]?.series?.length, q.panel).toBeGreaterThan(0);
      }
    });

    it("the latest-values table shows the last value of each point", async () => {
      const table = queries.find((q) => q.resultFormat === "table") as Target;
      const res = await influx.query(asGrafanaSends(table.query), "tidegate");
      const rows = (res.results[0]?.series ?? []).map((s) => {
        const row = Object.fromEntries(s.columns.map((c, i) => [c, s.values[0]?.[i]]));
        return { ...(s as unknown as { tags: Record<string, string> }).tags, ...row };
      });
      expect(rows).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            device: "meter-1",
            point: "voltage",
            value: 229.8,
            quality: "bad",
            seq: 3,
          }),
          expect.objectContaining({ device: "gps-1", point: "fix", text: "3D", quality: "good" }),
        ]),
      );
    });
  });
});
