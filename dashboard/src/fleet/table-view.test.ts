import type { GatewayEntry } from "@tidegate/protocol";
import { describe, expect, it } from "vitest";
import { applyView, ariaSort, defaultView, hasStatus, isFiltered, toggleSort } from "./table-view.js";

const seq = { max: 0, stored: 0, dropped: 0, missing: 0 };
const gw = (id: string, extra: Partial<GatewayEntry> = {}): GatewayEntry => ({
  id,
  firstSeen: 0,
  lastSeen: 1000,
  online: true,
  seq,
  ...extra,
});

const fleet = [
  gw("gw-10", { site: "Harbour", version: "1.10.0", backlog: 5, clockOffsetMs: -9000, lastSeen: 300 }),
  gw("gw-2", {
    site: "Dock",
    version: "1.9.0",
    backlog: 0,
    clockOffsetMs: 200,
    online: false,
    lastSeen: 100,
  }),
  gw("gw-3", { version: "1.2.0", lastSeen: null, online: false }),
];
const ids = (rows: GatewayEntry[]) => rows.map((g) => g.id);

describe("applyView", () => {
  it("sorts ids the way people count, not by character", () => {
    expect(ids(applyView(fleet, defaultView))).toEqual(["gw-2", "gw-3", "gw-10"]);
    expect(ids(applyView(fleet, { ...defaultView, dir: "desc" }))).toEqual(["gw-10", "gw-3", "gw-2"]);
  });

  it("sorts versions numerically", () => {
    expect(ids(applyView(fleet, { ...defaultView, sort: "version" }))).toEqual(["gw-3", "gw-2", "gw-10"]);
  });

  it("puts rows without a value last in both directions", () => {
    const asc = applyView(fleet, { ...defaultView, sort: "site" });
    const desc = applyView(fleet, { ...defaultView, sort: "site", dir: "desc" });
    expect(ids(asc)).toEqual(["gw-2", "gw-10", "gw-3"]);
    expect(ids(desc)).toEqual(["gw-10", "gw-2", "gw-3"]);
    expect(ids(applyView(fleet, { ...defaultView, sort: "lastSeen", dir: "desc" }))).toEqual([
      "gw-10",
      "gw-2",
      "gw-3",
    ]);
  });

  it("sorts the clock by distance from zero and offline gateways first", () => {
    expect(ids(applyView(fleet, { ...defaultView, sort: "clock", dir: "desc" }))).toEqual([
      "gw-10",
      "gw-2",
      "gw-3",
    ]);
    expect(ids(applyView(fleet, { ...defaultView, sort: "status" }))).toEqual(["gw-2", "gw-3", "gw-10"]);
  });

  it("sorts by backlog and by alert count", () => {
    const withAlerts = [
      ...fleet.slice(0, 2),
      gw("gw-3", {
        activeAlerts: [{ rule: "r", device: "d", severity: "warning", since: 0, message: "m" }],
      }),
    ];
    expect(ids(applyView(fleet, { ...defaultView, sort: "backlog" }))).toEqual(["gw-2", "gw-10", "gw-3"]);
    expect(ids(applyView(withAlerts, { ...defaultView, sort: "alerts", dir: "desc" }))[0]).toBe("gw-3");
  });

  it("filters by id, site or version, case-insensitively, and by offline", () => {
    expect(ids(applyView(fleet, { ...defaultView, filter: " harb " }))).toEqual(["gw-10"]);
    expect(ids(applyView(fleet, { ...defaultView, filter: "1.9" }))).toEqual(["gw-2"]);
    expect(ids(applyView(fleet, { ...defaultView, filter: "GW-3" }))).toEqual(["gw-3"]);
    expect(ids(applyView(fleet, { ...defaultView, onlyOffline: true }))).toEqual(["gw-2", "gw-3"]);
    expect(applyView(fleet, { ...defaultView, filter: "nowhere" })).toEqual([]);
  });

  it("filters by the collector's statuses, combined with the text filter", () => {
    const alerting = gw("gw-4", {
      backlog: 3,
      activeAlerts: [{ rule: "r", device: "d", severity: "critical", since: 0, message: "m" }],
    });
    const all = [...fleet, alerting];
    expect(ids(applyView(all, { ...defaultView, status: "all" }))).toEqual(["gw-2", "gw-3", "gw-4", "gw-10"]);
    expect(ids(applyView(all, { ...defaultView, status: "online" }))).toEqual(["gw-4", "gw-10"]);
    expect(ids(applyView(all, { ...defaultView, status: "offline" }))).toEqual(["gw-2", "gw-3"]);
    expect(ids(applyView(all, { ...defaultView, status: "alerting" }))).toEqual(["gw-4"]);
    expect(ids(applyView(all, { ...defaultView, status: "backlogged" }))).toEqual(["gw-4", "gw-10"]);
    expect(ids(applyView(all, { ...defaultView, status: "backlogged", filter: "harbour" }))).toEqual([
      "gw-10",
    ]);
    expect(applyView(all, { ...defaultView, status: "online", onlyOffline: true })).toEqual([]);
  });

  it("counts statuses as the collector does: an offline gateway keeps its last alerts and backlog", () => {
    const stale = gw("gw-9", {
      online: false,
      backlog: 1,
      activeAlerts: [{ rule: "r", device: "d", severity: "info", since: 0, message: "m" }],
    });
    expect([hasStatus.online(stale), hasStatus.offline(stale)]).toEqual([false, true]);
    expect([hasStatus.alerting(stale), hasStatus.backlogged(stale)]).toEqual([true, true]);
    expect(hasStatus.backlogged(gw("gw-1", { backlog: 0 }))).toBe(false);
  });

  it("tells when the view narrows the fleet", () => {
    expect(isFiltered(defaultView)).toBe(false);
    expect(isFiltered({ ...defaultView, filter: "  " })).toBe(false);
    expect(isFiltered({ ...defaultView, sort: "site", dir: "desc" })).toBe(false);
    expect(isFiltered({ ...defaultView, filter: "gw" })).toBe(true);
    expect(isFiltered({ ...defaultView, onlyOffline: true })).toBe(true);
    expect(isFiltered({ ...defaultView, status: "alerting" })).toBe(true);
  });

  it("does not reorder its input", () => {
    const before = ids(fleet);
    applyView(fleet, { ...defaultView, dir: "desc" });
    expect(ids(fleet)).toEqual(before);
  });
});

describe("toggleSort and ariaSort", () => {
  it("flips the direction on the same column and starts ascending on another", () => {
    const a = toggleSort(defaultView, "id");
    expect(a.dir).toBe("desc");
    expect(ariaSort(a, "id")).toBe("descending");
    const b = toggleSort(a, "backlog");
    expect([b.sort, b.dir]).toEqual(["backlog", "asc"]);
    expect(ariaSort(b, "backlog")).toBe("ascending");
    expect(ariaSort(b, "id")).toBe("none");
  });
});
