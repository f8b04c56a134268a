import { describe, expect, it } from "vitest";
import { createHealth } from "./health.js";

describe("device health", () => {
  it("moves from starting to ok, degraded and failing", () => {
    const h = createHealth("m1", 4);
    expect(h.snapshot().status).toBe("starting");
    h.record(true, 5);
    expect(h.snapshot()).toMatchObject({ status: "ok", successRate: 1, lastLatencyMs: 5 });
    h.record(false, 1000, "timeout after 1000 ms");
    expect(h.snapshot()).toMatchObject({
      status: "degraded",
      successRate: 0.5,
      lastError: "timeout after 1000 ms",
    });
    for (let i = 0; i < 4; i++) h.record(false, 1000, "timeout after 1000 ms");
    expect(h.snapshot()).toMatchObject({ status: "failing", successRate: 0 });
  });
  it("is failing as soon as the last three reads failed, however good the window was", () => {
    const h = createHealth("m1", 20);
    for (let i = 0; i < 17; i++) h.record(true, 5);
    h.record(false, 200, "timeout after 200 ms");
    h.record(false, 200, "timeout after 200 ms");
    expect(h.snapshot().status).toBe("degraded");
    h.record(false, 200, "timeout after 200 ms");
    expect(h.snapshot()).toMatchObject({ status: "failing", lastError: "timeout after 200 ms" });
  });
  it("counts failed reads by kind", () => {
    const h = createHealth("m1");
    h.record(false, 200, "timeout after 200 ms", "timeout");
    h.record(false, 200, "timeout after 200 ms", "timeout");
    h.record(false, 5, "exception 2 (illegal data address)", "exception");
    h.record(true, 5);
    expect(h.snapshot().errors).toEqual({ timeout: 2, exception: 1 });
  });
  it("forgets the last error after three good reads in a row", () => {
    const h = createHealth("m1");
    h.record(false, 1, "boom");
    h.record(true, 1);
    h.record(true, 1);
    expect(h.snapshot().lastError).toBe("boom");
    h.record(true, 1);
    expect(h.snapshot().lastError).toBeUndefined();
  });
});
