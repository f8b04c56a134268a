import { describe, expect, it } from "vitest";
import { expandTopic, type NotifyEvent, targetNames, wants } from "./event.js";

const event: NotifyEvent = {
  gateway: "plant-7",
  rule: "hot",
  device: "meter-1",
  point: "temperature",
  severity: "warning",
  state: "raised",
  at: 1_700_000_000_000,
  value: 81.5,
  message: "temperature 81.5 above 80",
};

describe("wants", () => {
  it("passes alerts at or above the target's minimum severity", () => {
    expect(wants({ minSeverity: "info" }, event)).toBe(true);
    expect(wants({ minSeverity: "warning" }, event)).toBe(true);
    expect(wants({ minSeverity: "critical" }, event)).toBe(false);
    expect(wants({ minSeverity: "critical" }, { severity: "critical" })).toBe(true);
  });
});

describe("expandTopic", () => {
  it("fills gateway, rule, device and state", () => {
    expect(expandTopic("tidegate/{gateway}/alerts/{rule}/{device}/{state}", event)).toBe(
      "tidegate/plant-7/alerts/hot/meter-1/raised",
    );
  });

  it("leaves unknown placeholders alone and keeps values inside one topic level", () => {
    expect(expandTopic("a/{point}/{device}", { ...event, device: "x/+#" })).toBe("a/{point}/x___");
  });
});

describe("targetNames", () => {
  it("names targets by where they send, without credentials or query, and tells duplicates apart", () => {
    expect(
      targetNames([
        {
          type: "webhook",
          url: "https://u:pw@hooks.example/alert?token=s",
          minSeverity: "info",
          timeoutMs: 5000,
        },
        { type: "mqtt", topic: "alerts/{rule}", minSeverity: "info", qos: 1, retain: false },
        { type: "mqtt", topic: "alerts/{rule}", minSeverity: "critical", qos: 1, retain: false },
      ]),
    ).toEqual(["webhook:hooks.example/alert", "mqtt:alerts/{rule}", "mqtt:alerts/{rule}#2"]);
  });
});
