import { MAX_LINE_LENGTH } from "./reasons.js";

export interface LineSplitterOptions {
  /** What ends a line, e.g. "\r\n". */
  delimiter: string;
  /** A pause this long inside a line means it was cut; its start is dropped as partial. */
  gapMs: number;
  /** Bytes that always start a line ("$" and "!" for NMEA): one arriving mid-line means that line was cut. */
  startBytes?: string;
  /** When the port was opened; unset for framed formats, whose first line proves itself. */
  openedAt?: number;
  maxLength?: number;
  onLine(line: Buffer, startedAt: number): void;
  onDrop(reason: "partial" | "too-long"): void;
}

export interface LineSplitter {
  push(chunk: Buffer, now: number): void;
  /** The port closed: a line in progress will never end, so it is dropped as partial. */
  end(): void;
}

/**
 * Cuts a serial byte stream into lines with bounded memory. Besides the delimiter it watches
 * timing: a device prints a line in one burst, so a pause inside a line means the line was cut
 * (the device reset, the cable glitched), and the first bytes after opening the port may be the
 * tail of a line already under way. Those pieces are dropped as partial instead of being glued to
 * the next line, where they would read as a wrong value.
 */
export function createLineSplitter(opts: LineSplitterOptions): LineSplitter {
  const delim = Buffer.from(opts.delimiter, "latin1");
  const maxLength = opts.maxLength ?? MAX_LINE_LENGTH;
  const starts = new Set(Buffer.from(opts.startBytes ?? "", "latin1"));
  const buf = Buffer.alloc(maxLength + delim.length);
  let len = 0;
  let discarding = false;
  let startedAt = 0;
  let lastAt = 0;
  // Unframed lines cannot tell a tail from a whole line: the first one is trusted only if it
  // began after a quiet gap since opening, which is when no line can have been under way.
  let firstPending = opts.openedAt !== undefined;

  function reset() {
    len = 0;
    discarding = false;
  }

  function dropPartial() {
    opts.onDrop("partial");
    firstPending = false;
    reset();
  }

  function complete() {
    const line = Buffer.from(buf.subarray(0, len - delim.length));
    const at = startedAt;
    reset();
    if (firstPending) {
      firstPending = false;
      if (at - (opts.openedAt as number) < opts.gapMs) return opts.onDrop("partial");
    }
    opts.onLine(line, at);
  }

  return {
    push(chunk, now) {
      if ((len > 0 || discarding) && now - lastAt > opts.gapMs) {
        if (discarding) reset();
        else dropPartial();
      }
      lastAt = now;
      for (const byte of chunk) {
        if (starts.has(byte) && (len > 0 || discarding)) {
          if (discarding) reset();
          else dropPartial();
        }
        if (len === buf.length) {
          if (!discarding) opts.onDrop("too-long");
          discarding = true;
          firstPending = false;
          // Keep just enough to see the delimiter that ends the overlong line.
          buf.copyWithin(0, len - (delim.length - 1), len);
          len = delim.length - 1;
        }
        if (len === 0 && !discarding) startedAt = now;
        buf[len++] = byte;
        if (len >= delim.length && byte === delim[delim.length - 1] && endsWithDelimiter()) {
          if (discarding) reset();
          else complete();
        }
      }
    },
    end() {
      if (len > 0 && !discarding) dropPartial();
      reset();
    },
  };

  function endsWithDelimiter(): boolean {
    return buf.subarray(len - delim.length, len).equals(delim);
  }
}
