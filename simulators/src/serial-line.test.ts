import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type LineProfile, type LineProfileInput, lineProfileSchema, loadProfiles } from "@tidegate/profiles";
import { SerialPort } from "serialport";
import { describe, expect, it } from "vitest";
// The agent's parser is the contract the simulator's output must meet.
import { lineToReadings, parseLine } from "../../agent/src/sources/line/parse.js";
import { startPtyPair } from "./pty/pty-pair.js";
import { formatLines, nmeaSentence, startSerialLineSimulator } from "./serial-line.js";

const source = { title: "t", url: "https://example.com/manual.pdf" };
function profile(format: LineProfileInput["format"], points: LineProfileInput["points"]): LineProfile {
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
function read(p: LineProfile, lines: string[]) {
  const out: Record<string, unknown> = {};
  for (const line of lines) {
    const r = lineToReadings(p, p.points, line, { device: "d", ts: 1 });
    if ("dropped" in r) throw new Error(`${line}: dropped as ${r.dropped}`);
    for (const x of r.readings) out[x.point] = x.value;
  }
  return out;
}
const profiles = loadProfiles();
const gps = profiles.get("u-blox/neo-6m") as LineProfile;
const scale = profiles.get("mettler-toledo/mt-sics") as LineProfile;

describe("formatLines", () => {
  it("prints csv and keyvalue lines the agent reads back, undoing scale and offset", () => {
    const csv = profile({ type: "csv", separator: ";", columns: ["co2", "", "t"] }, [
      { id: "co2", name: "CO2", field: "co2", decimals: 0 },
      { id: "t", name: "T", field: "t", scale: 0.1, offset: -40 },
    ]);
    const lines = formatLines(csv, { co2: 415.2, t: 25.3 });
    expect(lines).toEqual(["415;0;653"]);
    expect(read(csv, lines)).toEqual({ co2: 415, t: 25.3 });
    const kv = profile({ type: "keyvalue", pairSeparator: " ", kvSeparator: ":" }, [
      { id: "o2", name: "O2", field: "O2" },
      { id: "run", name: "Run", field: "RUN", type: "bool" },
    ]);
    expect(read(kv, formatLines(kv, { o2: 20.9, run: true }))).toEqual({ o2: 20.9, run: true });
  });

  it("fills a regex profile's template with widths and decimals", () => {
    expect(formatLines(scale, { weight: 100, stable: true, unit: "g" })).toEqual(["S S     100.00 g"]);
    expect(read(scale, formatLines(scale, { weight: -2.5, stable: false, unit: "g" }))).toEqual({
      weight: -2.5,
      stable: false,
      unit: "g",
    });
    const bare = profile({ type: "regex", pattern: "^(?<w>.*)$" }, [{ id: "w", name: "W", field: "w" }]);
    expect(() => formatLines(bare, { w: 1 })).toThrow(/needs format.simulateLine/);
  });

  it("prints one valid NMEA sentence per listed sentence, with the talker asked for", () => {
    const values = { latitude: -33.8688, longitude: -70.5, satellites: 9, fix_valid: true, speed: 18.52 };
    const lines = formatLines(gps, values, { talker: "GN", now: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) });
    expect(lines.map((l) => l.slice(0, 6))).toEqual(["$GNGGA", "$GNRMC"]);
    expect(lines[0]).toMatch(/^\$GNGGA,030405\.00,3352\.12800,S,07030\.00000,W,/);
    for (const line of lines) expect(parseLine(gps, line).ok).toBe(true);
    const back = read(gps, lines);
    expect(back).toMatchObject({ satellites: 9, fix_valid: true, speed: 18.52 });
    expect(back.latitude as number).toBeCloseTo(-33.8688, 6);
    expect(back.longitude as number).toBeCloseTo(-70.5, 6);
  });

  it("breaks the checksum of the first sentence on demand", () => {
    const [first, second] = formatLines(gps, { latitude: 47, longitude: 8 }, { badChecksum: true });
    expect(parseLine(gps, first as string)).toEqual({ ok: false, reason: "checksum-mismatch" });
    expect(parseLine(gps, second as string).ok).toBe(true);
    expect(nmeaSentence("GPGLL", ["4717.11364", "N", "00833.91565", "E", "092321.00", "A", "A"])).toBe(
      "$GPGLL,4717.11364,N,00833.91565,E,092321.00,A,A*60",
    );
  });
});

describe("serial line simulator on a PTY", () => {
  it("prints lines every interval, injects garbage and half lines, and goes silent on demand", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tidegate-sim-line-"));
    const pty = await startPtyPair(dir, "scale");
    const reader = await new Promise<SerialPort>((resolve, reject) => {
      const p = new SerialPort({ path: pty.agentEnd, baudRate: 9600 }, (err) =>
        err ? reject(err) : resolve(p),
      );
    });
    const sim = await startSerialLineSimulator({
      path: pty.deviceEnd,
      profile: scale,
      intervalMs: 50,
      seed: 3,
    });
    let received = Buffer.alloc(0);
    reader.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
    });
    const text = () => received.toString("latin1");
    const waitFor = async (what: string, check: () => boolean) => {
      const deadline = Date.now() + 15_000;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(20);
      }
    };
    try {
      sim.set("weight", 42.5);
      await waitFor(
        "lines",
        () =>
          text()
            .split("\r\n")
            .filter((l) => l === "S S      42.50 g" || l === "S D      42.50 g").length >= 3,
      );
      expect(sim.written()).toBeGreaterThanOrEqual(3);

      received = Buffer.alloc(0);
      sim.inject("garbage");
      await waitFor("garbage", () => text().includes("\r\n"));
      const garbage = text().split("\r\n")[0] as string;
      expect(garbage.length).toBeGreaterThanOrEqual(8);
      expect(parseLine(scale, garbage)).toEqual({ ok: false, reason: "garbage" });

      sim.set("stable", true);
      await waitFor("stable lines", () => text().endsWith("S S      42.50 g\r\n"));
      received = Buffer.alloc(0);
      sim.inject("partial");
      await waitFor("lines again", () => text().includes("\r\n"));
      // Half a line with no end, then whole lines: the half runs into the next line on the wire.
      const line = "S S      42.50 g";
      expect(text().split("\r\n")[0]).toBe(line.slice(0, line.length / 2) + line);

      sim.silence(true);
      await sleep(200);
      const silentAt = sim.written();
      await sleep(300);
      expect(sim.written()).toBe(silentAt);
      expect(() => sim.inject("bad-checksum")).toThrow(/needs an nmea profile/);
    } finally {
      await sim.close();
      await new Promise<void>((resolve) => reader.close(() => resolve()));
      await pty.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
