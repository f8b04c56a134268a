import { describe, expect, it } from "vitest";
import {
  compileTopic,
  extract,
  filterCovers,
  filterMatches,
  MAX_PAYLOAD_BYTES,
  minimalFilters,
  TopicError,
} from "./topics.js";

const num = { type: "number" as const, scale: 1, offset: 0 };
const b = (s: string) => Buffer.from(s);

describe("compileTopic", () => {
  it("turns {device} into + and reads the device id from that level", () => {
    const t = compileTopic("tele/{device}/SENSOR");
    expect(t.filter).toBe("tele/+/SENSOR");
    expect(t.match("tele/plug-1/SENSOR")).toEqual({ device: "plug-1" });
    expect(t.match("tele/plug-1/STATE")).toBeUndefined();
    expect(t.match("tele/plug-1/SENSOR/x")).toBeUndefined();
    expect(t.match("tele/SENSOR")).toBeUndefined();
  });

  it("keeps literal + and # wildcards", () => {
    const plus = compileTopic("site/+/{device}/temp");
    expect(plus.filter).toBe("site/+/+/temp");
    expect(plus.match("site/hall-a/ht-3/temp")).toEqual({ device: "ht-3" });
    const hash = compileTopic("{device}/status/#");
    expect(hash.filter).toBe("+/status/#");
    expect(hash.match("ht-9/status/temperature:0")).toEqual({ device: "ht-9" });
    expect(hash.match("ht-9/status")).toEqual({ device: "ht-9" }); // '#' also matches its parent level
    expect(hash.match("ht-9/events/rpc")).toBeUndefined();
  });

  it("puts a prefix's levels in front, with or without a trailing slash", () => {
    for (const prefix of ["plant/line-2", "plant/line-2/", "/plant/line-2/"]) {
      const t = compileTopic("shellies/{device}/sensor/temperature", { prefix });
      expect(t.filter).toBe("plant/line-2/shellies/+/sensor/temperature");
      expect(t.pattern).toBe("plant/line-2/shellies/{device}/sensor/temperature");
      expect(t.match("plant/line-2/shellies/ht-1/sensor/temperature")).toEqual({ device: "ht-1" });
      expect(t.match("shellies/ht-1/sensor/temperature")).toBeUndefined();
    }
  });

  it("listens to one fixed {device} level when asked", () => {
    const t = compileTopic("tele/{device}/SENSOR", { deviceLevel: "tasmota_A1B2C3" });
    expect(t.filter).toBe("tele/tasmota_A1B2C3/SENSOR");
    expect(t.match("tele/tasmota_A1B2C3/SENSOR")).toEqual({ device: undefined });
    expect(t.match("tele/other/SENSOR")).toBeUndefined();
  });

  it("does not let leading wildcards match $SYS topics", () => {
    expect(compileTopic("{device}/uptime").match("$SYS/uptime")).toBeUndefined();
    expect(compileTopic("#").match("$SYS/broker/load")).toBeUndefined();
    expect(compileTopic("$SYS/{device}/uptime").match("$SYS/b1/uptime")).toEqual({ device: "b1" });
  });

  it("refuses patterns it cannot subscribe to, saying why", () => {
    expect(() => compileTopic("tele/x{device}/SENSOR")).toThrow(TopicError);
    expect(() => compileTopic("tele/x{device}/SENSOR")).toThrow(/whole level/);
    expect(() => compileTopic("a/#/b")).toThrow(/'#' must be the whole last level/);
    expect(() => compileTopic("a/b+/c")).toThrow(/'\+' must be a whole level/);
    expect(() => compileTopic("{device}/{device}")).toThrow(/only once/);
    expect(() => compileTopic("a/{id}")).toThrow(/only \{device\}/);
    expect(() => compileTopic("a/{device}", { prefix: "site/+" })).toThrow(/prefix/);
  });
});

describe("filterMatches (ACLs)", () => {
  it.each([
    ["shellies/ht-1/#", "shellies/ht-1/sensor/temperature", true],
    ["shellies/ht-1/#", "shellies/ht-1", true],
    ["shellies/ht-1/#", "shellies/ht-2/sensor/temperature", false],
    ["shellies/+/sensor/+", "shellies/ht-1/sensor/humidity", true],
    ["shellies/+/sensor/+", "shellies/ht-1/sensor", false],
    ["tele/plug-1/SENSOR", "tele/plug-1/SENSOR", true],
    ["tele/plug-1/SENSOR", "tele/plug-1/SENSOR/x", false],
    ["#", "anything/at/all", true],
    ["#", "$SYS/broker/uptime", false],
    ["+/x", "$SYS/x", false],
  ])("%s vs %s -> %s", (filter, topic, want) => {
    expect(filterMatches(filter, topic)).toBe(want);
  });
});

describe("minimalFilters", () => {
  it("drops duplicates and filters another covers, so no message arrives twice", () => {
    expect(filterCovers("tele/#", "tele/+/SENSOR")).toBe(true);
    expect(filterCovers("tele/+/SENSOR", "tele/#")).toBe(false);
    expect(filterCovers("a/+/c", "a/b/#")).toBe(false);
    expect(
      minimalFilters(["tele/+/SENSOR", "tele/+/SENSOR", "tele/+/STATE", "tele/#", "shellies/+/x"]).sort(),
    ).toEqual(["shellies/+/x", "tele/#"]);
  });
});

describe("extract", () => {
  it("reads a plain numeric payload, with scale and offset", () => {
    expect(extract(b("22.63"), num)).toEqual({ value: 22.63 });
    expect(extract(b(" -4.5\n"), num)).toEqual({ value: -4.5 });
    expect(extract(b("1e3"), num)).toEqual({ value: 1000 });
    expect(extract(b("215"), { type: "number", scale: 0.1, offset: -1 })).toEqual({ value: 20.5 });
  });

  it("follows dot paths into JSON objects and arrays", () => {
    const doc = b('{"ENERGY":{"Power":[52,5],"Voltage":235},"temperature:0":{"tC":19.8}}');
    expect(extract(doc, { ...num, json: "ENERGY.Voltage" })).toEqual({ value: 235 });
    expect(extract(doc, { ...num, json: "ENERGY.Power.1" })).toEqual({ value: 5 });
    expect(extract(doc, { ...num, json: "temperature:0.tC" })).toEqual({ value: 19.8 });
    expect(extract(b("[1,[2,3]]"), { ...num, json: "1.0" })).toEqual({ value: 2 });
  });

  it("converts to bool and string points", () => {
    const bool = { type: "bool" as const, scale: 1, offset: 0 };
    const str = { type: "string" as const, scale: 1, offset: 0 };
    expect(extract(b('{"POWER":"ON"}'), { ...bool, json: "POWER" })).toEqual({ value: true });
    expect(extract(b("off"), bool)).toEqual({ value: false });
    expect(extract(b("true"), bool)).toEqual({ value: true });
    expect(extract(b('{"on":0}'), { ...bool, json: "on" })).toEqual({ value: false });
    expect(extract(b("Online"), str)).toEqual({ value: "Online" });
    expect(extract(b('{"v":12}'), { ...str, json: "v" })).toEqual({ value: "12" });
  });

  it("names each reason a value is dropped", () => {
    expect(extract(Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x31), num)).toEqual({ reason: "too-large" });
    expect(extract(Buffer.from([0x32, 0xff, 0xfe]), num)).toEqual({ reason: "not-utf8" });
    expect(extract(b(""), num)).toEqual({ reason: "empty" });
    expect(extract(b("  \n"), num)).toEqual({ reason: "empty" });
    expect(extract(b("{not json"), { ...num, json: "a" })).toEqual({ reason: "not-json" });
    expect(extract(b('{"a":{"b":1}}'), { ...num, json: "a.c" })).toEqual({ reason: "no-such-path" });
    expect(extract(b('{"a":[1]}'), { ...num, json: "a.3" })).toEqual({ reason: "no-such-path" });
    expect(extract(b('{"a":1}'), { ...num, json: "a.b" })).toEqual({ reason: "no-such-path" });
    expect(extract(b("twenty"), num)).toEqual({ reason: "not-a-number" });
    expect(extract(b("NaN"), num)).toEqual({ reason: "not-a-number" });
    expect(extract(b("Infinity"), num)).toEqual({ reason: "not-a-number" });
    expect(extract(b("12abc"), num)).toEqual({ reason: "not-a-number" });
    // Finite as sent, infinite once scaled: still no number to report.
    expect(extract(b("1e308"), { type: "number", scale: 10, offset: 0 })).toEqual({ reason: "not-a-number" });
    expect(extract(b('{"a":null}'), { ...num, json: "a" })).toEqual({ reason: "not-a-number" });
    expect(extract(b('{"a":"x"}'), { type: "bool", scale: 1, offset: 0, json: "a" })).toEqual({
      reason: "not-a-bool",
    });
    expect(extract(b('{"a":{"b":1}}'), { type: "string", scale: 1, offset: 0, json: "a" })).toEqual({
      reason: "not-a-scalar",
    });
  });

  it("never walks into prototypes", () => {
    for (const path of ["__proto__", "constructor", "toString", "a.__proto__.x", "a.length"]) {
      expect(extract(b('{"a":"str"}'), { type: "string", scale: 1, offset: 0, json: path })).toEqual({
        reason: "no-such-path",
      });
    }
    expect(extract(b('{"__proto__":{"x":7}}'), { ...num, json: "__proto__.x" })).toEqual({ value: 7 });
  });
});
