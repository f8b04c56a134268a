import { describe, expect, it } from "vitest";
import { timeTicks } from "./time-axis.js";

const at = (h: number, m = 0, day = 23) => new Date(2026, 10, day, h, m).getTime() / 1000;

describe("time axis ticks", () => {
  it("shows times in the language's format, with the date at the first tick and at each new day", () => {
    const splits = [at(22), at(23), at(0, 0, 24), at(1, 0, 24)];
    expect(timeTicks(splits, 3600, "de")).toEqual(["22:00\n23. Nov.", "23:00", "00:00\n24. Nov.", "01:00"]);
    expect(timeTicks(splits, 3600, "en")[0]).toBe("10:00 PM\nNov 23");
  });

  it("adds seconds for fine ticks and shows dates alone for wide ones", () => {
    expect(timeTicks([at(8, 30) + 15], 15, "de")[0]?.split("\n")[0]).toBe("08:30:15");
    expect(timeTicks([at(0, 0, 23), at(0, 0, 24)], 86_400, "en")).toEqual(["Nov 23", "Nov 24"]);
  });
});
