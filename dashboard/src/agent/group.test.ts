import type { DeviceStatus, LatestReading } from "@tidegate/protocol";
import { describe, expect, it } from "vitest";
import { groupByDevice } from "./group.js";

const dev = (id: string): DeviceStatus => ({ id, profile: "p", status: "ok", successRate: 1 });
const reading = (device: string, point: string): LatestReading => ({
  device,
  point,
  name: point,
  ts: 0,
  value: 1,
  quality: "good",
});

describe("groupByDevice", () => {
  it("keeps the status order, attaches readings, and adds devices only seen in readings", () => {
    const groups = groupByDevice(
      [dev("b"), dev("a")],
      [reading("a", "x"), reading("c", "y"), reading("a", "z")],
    );
    expect(groups.map((g) => [g.id, g.status?.id, g.readings.map((r) => r.point)])).toEqual([
      ["b", "b", []],
      ["a", "a", ["x", "z"]],
      ["c", undefined, ["y"]],
    ]);
  });
});
