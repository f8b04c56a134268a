/**
 * What a serial scan tries, in which order: every line setting a field device ships with, the
 * likely ones first, and on each the unit ids, the likely ones first. Pure, so the order is tested
 * without a line.
 */

export type Parity = "none" | "even" | "odd";
export interface SerialSetting {
  baudRate: number;
  parity: Parity;
  dataBits: 8;
  stopBits: 1 | 2;
}

export const BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] as const;
/** 8N1, 8E1, 8O1, 8N2: what Modbus RTU devices offer (the spec's default is 8E1; most ship 8N1). */
export const FRAMINGS = [
  { parity: "none", stopBits: 1 },
  { parity: "even", stopBits: 1 },
  { parity: "odd", stopBits: 1 },
  { parity: "none", stopBits: 2 },
] as const;

/** Where devices leave the factory when no profile says: 9600 and 19200 by far, then the rest. */
const COMMON_BAUDS = [9600, 19200, 38400, 115200, 4800, 57600, 2400, 1200];

export function settingLabel(s: Pick<SerialSetting, "baudRate" | "parity" | "stopBits">): string {
  return `${s.baudRate} 8${s.parity[0]?.toUpperCase()}${s.stopBits}`;
}

/** Parses "9600 8E1" (as the CLI and the API take it). */
export function parseSetting(text: string): SerialSetting | undefined {
  const m = /^(\d+)\s*8([NEO])([12])$/i.exec(text.trim());
  if (!m) return undefined;
  const parity = ({ N: "none", E: "even", O: "odd" } as const)[(m[2] as string).toUpperCase() as "N"];
  return { baudRate: Number(m[1]), parity, dataBits: 8, stopBits: Number(m[3]) as 1 | 2 };
}

/** Most-often-first: profile defaults counted, ties (and the rest) in the common order. */
function byLikelihood<T>(all: readonly T[], votes: readonly T[], common: readonly T[]): T[] {
  const count = new Map<T, number>();
  for (const v of votes) count.set(v, (count.get(v) ?? 0) + 1);
  const rank = (v: T) => {
    const i = common.indexOf(v);
    return i < 0 ? common.length : i;
  };
  return [...all].sort((a, b) => (count.get(b) ?? 0) - (count.get(a) ?? 0) || rank(a) - rank(b));
}

/**
 * Every baud rate × framing, the profiles' default baud rates first. `only` narrows it to the
 * given settings (a technician who knows the speed), kept in this order.
 */
export function serialSettings(o: {
  profileBauds: readonly number[];
  bauds?: readonly number[];
  framings?: readonly string[];
}): SerialSetting[] {
  const bauds = byLikelihood(o.bauds ?? BAUD_RATES, o.profileBauds, COMMON_BAUDS);
  const framings = FRAMINGS.filter(
    (f) => !o.framings || o.framings.includes(settingLabel({ baudRate: 0, ...f }).slice(2)),
  );
  return bauds.flatMap((baudRate) => framings.map((f) => ({ baudRate, dataBits: 8 as const, ...f })));
}

/** Unit ids 1..247 (or `range`), the profiles' default ids first. */
export function unitIdOrder(
  profileIds: readonly number[],
  range: { from: number; to: number } = { from: 1, to: 247 },
) {
  const all = Array.from({ length: range.to - range.from + 1 }, (_, i) => range.from + i);
  const likely = byLikelihood(
    all.filter((id) => profileIds.includes(id)),
    profileIds,
    [],
  );
  return [...likely, ...all.filter((id) => !likely.includes(id))];
}

/**
 * How long to wait for one answer: the request and a one-register reply on the wire (8 + 7 bytes
 * of 11 bits), the 3.5-character gaps, and what a slow slave takes to turn around. A silent id
 * costs only this, so a line with nothing on it is over quickly.
 */
export function answerTimeoutMs(baudRate: number, turnaroundMs = 60): number {
  const charMs = (11 * 1000) / baudRate;
  return Math.ceil((8 + 7 + 7) * charMs + turnaroundMs);
}
