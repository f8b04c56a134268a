import { describe, expect, it } from "vitest";
import { dropLines } from "./dropped.js";

describe("dropLines", () => {
  it("puts every known reason into words, in a fixed order", () => {
    expect(dropLines({ "buffer-full-rejected": 3, "max-age": 1200, "buffer-full": 1 })).toEqual([
      { reason: "buffer-full", count: 1, text: "1 dropped, buffer full" },
      { reason: "max-age", count: 1200, text: "1,200 dropped, too old" },
      { reason: "buffer-full-rejected", count: 3, text: "3 rejected, buffer full" },
    ]);
  });

  it("leaves out zero counts and keeps unknown reasons visible", () => {
    expect(dropLines({ "buffer-full": 0, "disk-error": 2 })).toEqual([
      { reason: "disk-error", count: 2, text: "2 dropped (disk-error)" },
    ]);
  });

  it("has nothing to say about no drops", () => {
    expect(dropLines(undefined)).toEqual([]);
    expect(dropLines({})).toEqual([]);
  });
});
