import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { heartbeatAt } from "../../../test/helpers/heartbeat.js";
import { clockJump } from "./clock-jumps.js";
import { openSqliteStore } from "./sqlite-store.js";

const hb = heartbeatAt;

describe("clockJump", () => {
  const at = (agentTs: number, receivedAt: number) => ({ agentTs, receivedAt });

  it("ignores a steady offset and jitter within the threshold", () => {
    expect(clockJump(at(12_000, 0), at(17_000, 5000), 2000)).toBeUndefined();
    expect(clockJump(at(12_000, 0), at(18_900, 5000), 2000)).toBeUndefined();
    expect(clockJump(at(12_000, 0), at(15_100, 5000), 2000)).toBeUndefined();
  });

  it("gives the step, forwards or back, beyond the threshold", () => {
    expect(clockJump(at(0, 0), at(3_605_000, 5000), 2000)).toBe(3_600_000);
    expect(clockJump(at(1_700_000_000_000, 0), at(5000, 5000), 2000)).toBe(-1_700_000_000_000);
    expect(clockJump(at(0, 0), at(7500, 5000), 2000)).toBe(2500);
  });

  it("measures against the time passed here, however long the gateway was silent", () => {
    // Off for a day, its clock kept time: no jump.
    expect(clockJump(at(1000, 0), at(86_401_000, 86_400_000), 2000)).toBeUndefined();
  });
});

describe("clock jumps in the store", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "tidegate-jumps-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps the latest jump of each gateway, also after a reopen", () => {
    const path = join(dir, "c.db");
    const store = openSqliteStore(path);
    const T = 1_700_000_000_000;
    // gw-a: 12 s ahead all along (skew, no jump); gw-b: stepped back an hour, then steady.
    for (let i = 0; i < 4; i++) {
      expect(store.saveHeartbeat(hb("gw-a", T + i * 5000 + 12_000), T + i * 5000)).toBeUndefined();
    }
    store.saveHeartbeat(hb("gw-b", T), T);
    store.saveHeartbeat(hb("gw-b", T + 5000), T + 5000);
    expect(store.saveHeartbeat(hb("gw-b", T + 10_000 - 3_600_000), T + 10_000)).toBe(-3_600_000);
    expect(store.saveHeartbeat(hb("gw-b", T + 15_000 - 3_600_000), T + 15_000)).toBeUndefined();
    store.close();

    const reopened = openSqliteStore(path);
    const rows = Object.fromEntries(reopened.gateways().map((g) => [g.id, g.clockJump]));
    expect(rows).toEqual({ "gw-a": null, "gw-b": { at: T + 10_000, ms: -3_600_000 } });
    // A later, smaller jump replaces it.
    expect(reopened.saveHeartbeat(hb("gw-b", T + 23_000 - 3_600_000), T + 20_000)).toBe(3000);
    expect(reopened.gateways().find((g) => g.id === "gw-b")?.clockJump).toEqual({ at: T + 20_000, ms: 3000 });
    reopened.close();
  });

  it("takes its threshold from the options", () => {
    const store = openSqliteStore(join(dir, "c.db"), { clockJumpMs: 10_000 });
    store.saveHeartbeat(hb("gw-a", 0), 0);
    expect(store.saveHeartbeat(hb("gw-a", 13_000), 5000)).toBeUndefined();
    expect(store.saveHeartbeat(hb("gw-a", 30_000), 10_000)).toBe(12_000);
    store.close();
  });
});
