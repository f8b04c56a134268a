import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export type Parity = "none" | "even" | "odd";

/** How one end of a serial line is set: what a UART needs to agree on to understand the other. */
export interface LineSettings {
  baudRate: number;
  parity: Parity;
  dataBits: 7 | 8;
  stopBits: 1 | 2;
}

/** "9600 8E1" */
export function describeLine(s: LineSettings): string {
  return `${s.baudRate} ${s.dataBits}${s.parity[0]?.toUpperCase()}${s.stopBits}`;
}

/**
 * Reads `stty -a` output: "speed 9600 baud; … -parenb -parodd cs8 … -cstopb …". Undefined when it
 * is not that (another stty, a closed PTY).
 */
export function parseStty(text: string): LineSettings | undefined {
  const speed = /speed (\d+) baud/.exec(text);
  if (!speed) return undefined;
  const flags = new Set(text.split(/[\s;]+/));
  const parenb = flags.has("parenb");
  const parodd = flags.has("parodd");
  return {
    baudRate: Number(speed[1]),
    parity: parenb ? (parodd ? "odd" : "even") : "none",
    dataBits: flags.has("cs7") ? 7 : 8,
    stopBits: flags.has("cstopb") ? 2 : 1,
  };
}

/**
 * The settings the other program has set on its end of a PTY. A PTY passes bytes whatever both
 * ends set, so a simulator that should model an RS-485 line reads them and answers only when they
 * match its device's (a real UART at the wrong speed or parity hears noise).
 */
export async function readLineSettings(path: string): Promise<LineSettings | undefined> {
  try {
    const { stdout } = await run("stty", ["-F", path, "-a"], { timeout: 2000 });
    return parseStty(stdout);
  } catch {
    return undefined;
  }
}

export const sameLine = (a: LineSettings, b: LineSettings): boolean =>
  a.baudRate === b.baudRate &&
  a.parity === b.parity &&
  a.dataBits === b.dataBits &&
  a.stopBits === b.stopBits;
