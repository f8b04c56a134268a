/** Longest line kept; beyond it, with no delimiter in sight, the bytes are not a line of this device. */
export const MAX_LINE_LENGTH = 4096;

/**
 * Why a whole line was dropped. Short and stable: they are counter labels (stats().dropped, metrics).
 */
export type LineDropReason =
  | "garbage"
  | "too-long"
  | "partial"
  | "no-checksum"
  | "checksum-mismatch"
  | "column-count"
  | "no-match";

/** Why one point of a line has no value (a quality=bad reading, or the line's drop reason if none has). */
export type PointReason = "empty-field" | "not-a-number" | "not-a-bool" | "missing-field" | "bad-coordinate";

export type DropReason = LineDropReason | PointReason;

const WORDS: Record<DropReason, string> = {
  garbage: "non-printable bytes on the line (check baud rate, parity and data bits)",
  "too-long": `no line end within ${MAX_LINE_LENGTH} bytes (check the delimiter and baud rate)`,
  partial: "line cut short (device reset, cable glitch, or the port opened mid-line)",
  "no-checksum": "NMEA sentence without checksum",
  "checksum-mismatch":
    "NMEA checksum does not match (noise on the line: check cable, grounding and baud rate)",
  "column-count": "wrong number of columns (check the device's output format against the profile)",
  "no-match": "line does not have the profile's format (check the device's output mode)",
  "empty-field": "field is empty (the device has no value for it now)",
  "not-a-number": "field is not a number",
  "not-a-bool": "field is not one of the profile's true/false texts",
  "missing-field": "line has fewer fields than the profile expects (check the device's protocol version)",
  "bad-coordinate": "NMEA coordinate out of range or without N/S/E/W",
};

/** A reason in words an operator can act on, led by its counter label. */
export function describeReason(reason: DropReason): string {
  return `${reason}: ${WORDS[reason]}`;
}
