import { describe, expect, it } from "vitest";
import { changeView, PAGE_SIZE, pageRows, pageSlice, toggleStatus } from "./paging.js";
import { defaultView } from "./table-view.js";

describe("pageSlice", () => {
  it("splits 1,000 rows into ten pages of 100", () => {
    expect(PAGE_SIZE).toBe(100);
    expect(pageSlice(1000, 1)).toEqual({ page: 1, pages: 10, from: 0, to: 100, total: 1000 });
    expect(pageSlice(1000, 2)).toEqual({ page: 2, pages: 10, from: 100, to: 200, total: 1000 });
    expect(pageSlice(1000, 10)).toEqual({ page: 10, pages: 10, from: 900, to: 1000, total: 1000 });
  });

  it("ends the last page early when the rows do not fill it", () => {
    expect(pageSlice(250, 3)).toEqual({ page: 3, pages: 3, from: 200, to: 250, total: 250 });
    expect(pageSlice(50, 1)).toMatchObject({ pages: 1, from: 0, to: 50 });
  });

  it("clamps a page past either end", () => {
    expect(pageSlice(250, 9)).toMatchObject({ page: 3, from: 200, to: 250 });
    expect(pageSlice(250, 0).page).toBe(1);
    expect(pageSlice(250, -4).page).toBe(1);
    expect(pageSlice(250, Number.NaN).page).toBe(1);
  });

  it("has one empty page when nothing matches", () => {
    expect(pageSlice(0, 3)).toEqual({ page: 1, pages: 1, from: 0, to: 0, total: 0 });
  });

  it("takes other page sizes, at least one row", () => {
    expect(pageSlice(10, 2, 4)).toMatchObject({ pages: 3, from: 4, to: 8 });
    expect(pageSlice(3, 2, 0)).toMatchObject({ pages: 3, from: 1, to: 2 });
  });
});

describe("pageRows", () => {
  it("returns the page's rows without touching the list", () => {
    const rows = Array.from({ length: 250 }, (_, i) => i);
    const page = pageRows(rows, pageSlice(rows.length, 3));
    expect(page).toHaveLength(50);
    expect(page[0]).toBe(200);
    expect(rows).toHaveLength(250);
  });
});

describe("changeView and toggleStatus", () => {
  const at3 = { view: defaultView, page: 3 };

  it("goes back to page 1 when the filter, status or sort changes", () => {
    expect(changeView(at3, { ...defaultView, filter: "gw-1" })).toEqual({
      view: { ...defaultView, filter: "gw-1" },
      page: 1,
    });
    expect(changeView(at3, { ...defaultView, status: "offline" }).page).toBe(1);
    expect(changeView(at3, { ...defaultView, dir: "desc" }).page).toBe(1);
    expect(changeView(at3, { ...defaultView, onlyOffline: true }).page).toBe(1);
  });

  it("keeps the page when nothing changed", () => {
    expect(changeView(at3, { ...defaultView })).toBe(at3);
  });

  it("sets a status, and clears it when clicked again", () => {
    const offline = toggleStatus(defaultView, "offline");
    expect(offline.status).toBe("offline");
    expect(toggleStatus(offline, "alerting").status).toBe("alerting");
    expect(toggleStatus(offline, "offline").status).toBe("all");
    expect(offline.filter).toBe(defaultView.filter);
  });
});
