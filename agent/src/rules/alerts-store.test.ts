import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AlertsStore, openAlertsStore } from "./alerts-store.js";
import type { AlertEvent } from "./engine.js";

let dir: string;
let store: AlertsStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-alerts-"));
  store = openAlertsStore(join(dir, "alerts.db"));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const ev = (state: AlertEvent["state"], at: number, device = "m1"): AlertEvent => ({
  rule: "high-voltage",
  device,
  point: "voltage",
  severity: "warning",
  state,
  at,
  value: 251,
  message: "voltage is 251, above 250",
});

describe("alerts store", () => {
  it("tells listeners of every stored event, acknowledgements included, and of nothing refused", () => {
    const told: string[] = [];
    store.onEvents((events) =>
      told.push(...events.map((e) => `${e.state}@${e.at}:${e.severity}:${e.message}`)),
    );
    store.record([ev("raised", 1000)]);
    expect(store.acknowledge("high-voltage", "m1", "alice", 2000)).toBe(true);
    expect(store.acknowledge("high-voltage", "m1", "bob", 2500)).toBe(false);
    store.record([ev("cleared", 3000)]);
    expect(told).toEqual([
      "raised@1000:warning:voltage is 251, above 250",
      "acked@2000:warning:acknowledged by alice",
      "cleared@3000:warning:voltage is 251, above 250",
    ]);
  });

  it("an alert is active from raised until cleared, survives a reopen, and keeps its history", () => {
    store.record([ev("raised", 1000), ev("raised", 1500, "m2")]);
    store.record([ev("cleared", 2000, "m2")]);
    expect(store.active().map((a) => [a.device, a.since])).toEqual([["m1", 1000]]);
    store.close();
    store = openAlertsStore(join(dir, "alerts.db"));
    expect(store.active()).toHaveLength(1);
    expect(store.recent().map((e) => `${e.device}:${e.state}`)).toEqual([
      "m2:cleared",
      "m2:raised",
      "m1:raised",
    ]);
  });

  it("acknowledging marks the active alert, and only an active one", () => {
    store.record([ev("raised", 1000)]);
    expect(store.acknowledge("high-voltage", "m1", "otto", 1200)).toBe(true);
    expect(store.active()[0]?.ackedAt).toBe(1200);
    expect(store.acknowledge("high-voltage", "m1", "otto", 1300)).toBe(false);
    store.record([ev("cleared", 2000)]);
    expect(store.active()).toEqual([]);
    expect(store.acknowledge("high-voltage", "m1", "otto")).toBe(false);
  });

  it("an acknowledgement is an event of its own, sent up like raise and clear", () => {
    store.record([ev("raised", 1000)]);
    for (const e of store.unsent()) store.markSent(e.id);
    store.acknowledge("high-voltage", "m1", "otto", 1200);
    expect(store.unsent().map((e) => [e.state, e.at, e.message])).toEqual([
      ["acked", 1200, "acknowledged by otto"],
    ]);
    // The acknowledgement does not end the alert; a new raise after a clear needs a new one.
    expect(store.active().map((a) => a.since)).toEqual([1000]);
    store.record([ev("cleared", 2000), ev("raised", 3000)]);
    expect(store.active()[0]?.ackedAt).toBeNull();
  });
});
