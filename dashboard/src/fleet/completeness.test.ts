import { describe, expect, it } from "vitest";
import { describeCompleteness } from "./completeness.js";

describe("describeCompleteness", () => {
  it("says complete when nothing is missing or dropped", () => {
    expect(describeCompleteness({ max: 1000, stored: 1000, dropped: 0, missing: 0 })).toEqual({
      parts: [{ tone: "ok", text: "complete" }],
      detail: "1,000 of 1,000 stored",
    });
  });

  it("warns about missing seqs", () => {
    expect(describeCompleteness({ max: 1000, stored: 988, dropped: 0, missing: 12 }).parts).toEqual([
      { tone: "warn", text: "12 missing" },
    ]);
  });

  it("shows drops as bad, next to missing or a neutral complete", () => {
    expect(describeCompleteness({ max: 1000, stored: 900, dropped: 90, missing: 10 }).parts).toEqual([
      { tone: "warn", text: "10 missing" },
      { tone: "bad", text: "90 dropped" },
    ]);
    expect(describeCompleteness({ max: 1000, stored: 900, dropped: 100, missing: 0 }).parts).toEqual([
      { tone: "neutral", text: "complete" },
      { tone: "bad", text: "100 dropped" },
    ]);
  });
});
