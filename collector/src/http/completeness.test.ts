import { describe, expect, it } from "vitest";
import type { GatewayRow } from "../store/types.js";
import { completeness } from "./completeness.js";

const row = (maxSeq: number, stored: number, droppedRanges: [number, number][] = []): GatewayRow => ({
  id: "g",
  lastSeen: 1,
  maxSeq,
  stored,
  wireVersion: 2,
  firstSeen: 1,
  heartbeatAt: 1,
  heartbeat: {
    v: 1,
    gateway: "g",
    version: "x",
    ts: 1,
    uptimeS: 1,
    backlog: 0,
    oldestUnsentAgeMs: null,
    lastSeq: maxSeq,
    epoch: 0,
    ackedSeq: maxSeq,
    dropped: {},
    droppedRanges,
    uplinkConnected: true,
    alarms: [],
    sources: [],
    activeAlerts: [],
  },
});

describe("completeness", () => {
  it("everything stored: nothing missing", () => {
    expect(completeness(row(100, 100))).toEqual({ max: 100, stored: 100, dropped: 0, missing: 0 });
  });
  it("dropped ranges are not missing", () => {
    expect(completeness(row(100, 80, [[1, 20]]))).toEqual({ max: 100, stored: 80, dropped: 20, missing: 0 });
  });
  it("counts only dropped seqs at or below the highest stored one", () => {
    expect(completeness(row(100, 70, [[91, 130]]))).toEqual({
      max: 100,
      stored: 70,
      dropped: 10,
      missing: 20,
    });
  });
  it("a gateway without a heartbeat yet", () => {
    expect(completeness({ ...row(10, 7), heartbeat: null })).toEqual({
      max: 10,
      stored: 7,
      dropped: 0,
      missing: 3,
    });
  });
});
