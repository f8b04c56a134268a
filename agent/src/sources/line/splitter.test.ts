import { describe, expect, it } from "vitest";
import { createLineSplitter, type LineSplitterOptions } from "./splitter.js";

function splitter(opts: Partial<LineSplitterOptions> = {}) {
  const lines: string[] = [];
  const drops: string[] = [];
  const s = createLineSplitter({
    delimiter: "\r\n",
    gapMs: 1000,
    onLine: (line) => lines.push(line.toString("latin1")),
    onDrop: (reason) => drops.push(reason),
    ...opts,
  });
  return { s, lines, drops, push: (text: string, now = 0) => s.push(Buffer.from(text, "latin1"), now) };
}

describe("line splitter", () => {
  it("cuts on the delimiter across chunk boundaries, even inside a two-byte delimiter", () => {
    const { push, lines, drops } = splitter();
    push("12.3,4");
    push("5\r");
    push("\n7,8\r\n9,");
    push("10\r\n");
    expect(lines).toEqual(["12.3,45", "7,8", "9,10"]);
    expect(drops).toEqual([]);
  });

  it("drops a line longer than the limit once, and resumes at the next delimiter", () => {
    const { push, lines, drops } = splitter({ maxLength: 16 });
    push("exactly-16-bytes\r\n");
    push("x".repeat(40));
    push("y".repeat(40));
    push("tail\r\nok\r\n");
    expect(lines).toEqual(["exactly-16-bytes", "ok"]);
    expect(drops).toEqual(["too-long"]);
  });

  it("drops the start of a line cut by a pause as partial, instead of gluing it to the next", () => {
    const { push, lines, drops } = splitter();
    push("12.3,4", 0);
    push("12.4,45.1\r\n", 1500);
    expect(lines).toEqual(["12.4,45.1"]);
    expect(drops).toEqual(["partial"]);
  });

  it("keeps a line whose bytes arrive with short pauses", () => {
    const { push, lines, drops } = splitter();
    push("12.3,", 0);
    push("45\r\n", 900);
    expect(lines).toEqual(["12.3,45"]);
    expect(drops).toEqual([]);
  });

  it("resyncs on a start byte: the cut sentence is partial, the next one is kept", () => {
    const { push, lines, drops } = splitter({ startBytes: "$!" });
    push("$GPGGA,0927$GPRMC,1*00\r\n!AIVDM,1*00\r\n", 0);
    expect(lines).toEqual(["$GPRMC,1*00", "!AIVDM,1*00"]);
    expect(drops).toEqual(["partial"]);
  });

  it("does not trust the first unframed line when it may have begun before the port opened", () => {
    const early = splitter({ openedAt: 0 });
    early.push("5.1,7\r\n12.4,45.1\r\n", 20);
    expect(early.lines).toEqual(["12.4,45.1"]);
    expect(early.drops).toEqual(["partial"]);
    const late = splitter({ openedAt: 0 });
    late.push("12.4,45.1\r\n", 1500);
    expect(late.lines).toEqual(["12.4,45.1"]);
    expect(late.drops).toEqual([]);
  });

  it("drops a line in progress when the port closes", () => {
    const { s, push, lines, drops } = splitter();
    push("1,2\r\n3,", 0);
    s.end();
    push("4,5\r\n", 10);
    expect(lines).toEqual(["1,2", "4,5"]);
    expect(drops).toEqual(["partial"]);
  });

  it("handles a one-byte delimiter", () => {
    const { push, lines } = splitter({ delimiter: "\n", maxLength: 4 });
    push("a\nbb\ncccccc\ndd\n");
    expect(lines).toEqual(["a", "bb", "dd"]);
  });
});
