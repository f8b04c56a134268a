import pino from "pino";
import { describe, expect, it } from "vitest";
import { createLogRing } from "./log-ring.js";

describe("createLogRing", () => {
  it("keeps the newest lines, oldest first, as pino writes them", () => {
    const ring = createLogRing(3);
    const log = pino({ base: null }, ring);
    for (let i = 1; i <= 5; i++) log.info(`line ${i}`);
    expect(ring.tail(10).map((l) => JSON.parse(l).msg)).toEqual(["line 3", "line 4", "line 5"]);
    expect(ring.tail(1).map((l) => JSON.parse(l).msg)).toEqual(["line 5"]);
  });

  it("drops the oldest lines beyond its byte bound", () => {
    const ring = createLogRing(100, 25);
    ring.write("a".repeat(10));
    ring.write("b".repeat(10));
    ring.write("c".repeat(10));
    expect(ring.tail(10)).toEqual(["b".repeat(10), "c".repeat(10)]);
  });
});
