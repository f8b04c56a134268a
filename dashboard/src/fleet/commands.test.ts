import { describe, expect, it } from "vitest";
import {
  CommandFailed,
  commandPath,
  failureMessage,
  formatLogLine,
  parseWriteValue,
  runCommand,
  statusFacts,
} from "./commands.js";

/** Answers like the collector's command route, and keeps what was asked. */
function collector(status: number, body: unknown) {
  const asked: { url: string; init: RequestInit }[] = [];
  const fetchFn = (async (url: string, init: RequestInit) => {
    asked.push({ url, init });
    return new Response(typeof body === "string" ? body : JSON.stringify(body), { status });
  }) as unknown as typeof fetch;
  return { asked, fetchFn };
}

describe("runCommand", () => {
  it("posts the arguments as JSON to the gateway's verb and returns the agent's result", async () => {
    const c = collector(200, { gateway: "gw-1", verb: "write", result: { readBack: 21.5 } });
    const result = await runCommand(
      "gw-1",
      "write",
      { device: "m1", point: "setpoint", value: 21.5 },
      c.fetchFn,
    );
    expect(result).toEqual({ readBack: 21.5 });
    expect(c.asked[0]?.url).toBe("api/v1/gateways/gw-1/commands/write");
    expect(c.asked[0]?.init.method).toBe("POST");
    expect(JSON.parse(String(c.asked[0]?.init.body))).toEqual({
      device: "m1",
      point: "setpoint",
      value: 21.5,
    });
    expect(c.asked[0]?.init.headers).toMatchObject({ "content-type": "application/json" });
  });

  it("throws the collector's own words, with the HTTP status", async () => {
    const offline = "gateway gw-1 is offline (last seen 95 s ago); nothing was sent.";
    const c = collector(409, { error: offline, failure: "offline" });
    const err = await runCommand("gw-1", "status", {}, c.fetchFn).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandFailed);
    expect((err as CommandFailed).message).toBe(offline);
    expect((err as CommandFailed).status).toBe(409);
    const garbled = await runCommand("gw-1", "status", {}, collector(502, "<html>").fetchFn).catch(
      (e: Error) => e.message,
    );
    expect(garbled).toBe("HTTP 502");
    const noResult = await runCommand("gw-1", "status", {}, collector(200, {}).fetchFn).catch(
      (e: Error) => e.message,
    );
    expect(noResult).toMatch(/unexpected|response/i);
  });

  it("escapes the gateway id in the path", () => {
    expect(commandPath("gw 1/x", "alert.ack")).toBe("api/v1/gateways/gw%201%2Fx/commands/alert.ack");
    expect(failureMessage(403, { error: "operator role required" })).toBe("operator role required");
    expect(failureMessage(500, { error: "" })).toBe("HTTP 500");
  });
});

describe("parseWriteValue", () => {
  it("reads numbers (decimal comma too) and true/false, and nothing else", () => {
    expect(parseWriteValue(" 21.5 ")).toBe(21.5);
    expect(parseWriteValue("21,5")).toBe(21.5);
    expect(parseWriteValue("-3")).toBe(-3);
    expect(parseWriteValue("1e3")).toBe(1000);
    expect(parseWriteValue("On")).toBe(true);
    expect(parseWriteValue("false")).toBe(false);
    for (const bad of ["", "abc", "1.2.3", "12 V", "Infinity", "0x10"])
      expect(parseWriteValue(bad), bad).toBe(undefined);
  });
});

describe("statusFacts", () => {
  it("names version, uptime, uplink, backlog, devices and alerts, leaving out what is missing", () => {
    const facts = statusFacts({
      version: "0.4.0",
      uptimeS: 3725,
      uplink: { connected: true },
      buffer: { backlog: 1200 },
      devices: [
        { id: "m1", status: "ok" },
        { id: "m2", status: "failing" },
      ],
      alerts: { active: [{}, {}] },
    });
    expect(Object.fromEntries(facts.map((f) => [f.label, f.value]))).toEqual({
      Version: "0.4.0",
      Uptime: "1 h 2 min",
      Uplink: "connected",
      Backlog: "1,200 readings",
      Devices: "m1: OK, m2: Failing",
      "Active alerts": "2",
    });
    expect(statusFacts({ version: "0.1.0" })).toEqual([{ label: "Version", value: "0.1.0" }]);
  });
});

describe("formatLogLine", () => {
  it("shortens pino JSON to time, level and message, and keeps other text", () => {
    expect(formatLogLine('{"level":40,"time":1700000000000,"msg":"alert raised"}')).toBe(
      "22:13:20 WARN alert raised",
    );
    expect(formatLogLine("plain text")).toBe("plain text");
    expect(formatLogLine('{"level":30}')).toBe('{"level":30}');
  });
});
