import { describe, expect, it } from "vitest";
import {
  type CollectorWire,
  decodeCollectorWire,
  encodeCollectorWire,
  wireMismatch,
} from "./collector-wire.js";

const wire = (min: number, max: number): CollectorWire => ({
  v: 1,
  min,
  max,
  collectorVersion: "0.1.0",
  at: 1,
});

describe("collector wire announcement", () => {
  it("round-trips", () => {
    expect(decodeCollectorWire(encodeCollectorWire(wire(1, 2)))).toEqual(wire(1, 2));
  });
  it("an agent within the collector's range may send", () => {
    expect(wireMismatch(2, wire(1, 2))).toBeUndefined();
    expect(wireMismatch(1, wire(1, 2))).toBeUndefined();
  });
  it("no announcement yet: send (a collector that starts later reads the stream)", () => {
    expect(wireMismatch(2, undefined)).toBeUndefined();
  });
  it("a newer agent than the collector holds and says which side to upgrade", () => {
    expect(wireMismatch(2, wire(1, 1))).toMatch(
      /reads batch wire version 1; this agent sends version 2: upgrade the collector/,
    );
  });
  it("an agent too old for the collector says to upgrade itself", () => {
    expect(wireMismatch(1, wire(2, 3))).toMatch(
      /versions 2–3; this agent sends version 1: upgrade this agent/,
    );
  });
});
