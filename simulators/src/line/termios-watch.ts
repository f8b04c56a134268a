import { type ChildProcess, spawn } from "node:child_process";
import { realpathSync } from "node:fs";
import type { LineSettings } from "./line-settings.js";

/**
 * The line settings a running program sets on one serial device, watched with strace (its
 * tcsetattr calls). Needed on a PTY because Linux's pty driver clears PARENB on every
 * tcsetattr, so even parity and no parity look the same to `stty -a`; the ioctl itself still
 * says what the program asked for. Needs strace and the right to trace the program (root, or
 * the same user with ptrace allowed).
 */
export interface TermiosWatch {
  /** strace itself; with `command` its stdout is the program's stdout and stderr, its exit code the program's. */
  readonly process: ChildProcess;
  /** The settings of the program's last tcsetattr on the device, if any was seen. */
  current(): LineSettings | undefined;
  /** Resolves once strace has attached (its first line, or a short grace period). */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

/** c_cflag as strace prints it ("B9600|CS8|CREAD|PARENB"), with c_ospeed for termios2. */
export function parseTermiosCall(
  line: string,
): { fd: number; path: string; settings: LineSettings } | undefined {
  const m = /ioctl\((\d+)(?:<([^>]*)>)?, [^,]*TCSETS[WF2]*, \{[^}]*c_cflag=([A-Z0-9|]+)/.exec(line);
  if (!m) return undefined;
  const flags = new Set((m[3] as string).split("|"));
  const ospeed = /c_ospeed=(\d+)/.exec(line);
  const named = [...flags].map((f) => /^B(\d+)$/.exec(f)).find(Boolean);
  const baudRate = ospeed ? Number(ospeed[1]) : named ? Number(named[1]) : Number.NaN;
  if (!Number.isFinite(baudRate)) return undefined;
  return {
    fd: Number(m[1]),
    path: m[2] ?? "",
    settings: {
      baudRate,
      parity: flags.has("PARENB") ? (flags.has("PARODD") ? "odd" : "even") : "none",
      dataBits: flags.has("CS7") ? 7 : 8,
      stopBits: flags.has("CSTOPB") ? 2 : 1,
    },
  };
}

/**
 * Watches a running program (`pid`), or runs `command` under strace from its first instruction
 * (nothing it sets is missed).
 */
/**
 * node-serialport sets the framing (with the old speed) and then the speed, reading termios back
 * in between; on a PTY the read-back has lost PARENB, so the second call says "no parity" though
 * the program asked for one. Parity cannot be switched off on an open port without a new open
 * (which starts `previous` afresh), so within one open a call without parity keeps the parity of
 * the calls before it.
 */
export function keepParity(previous: LineSettings | undefined, next: LineSettings): LineSettings {
  const echo = previous !== undefined && previous.parity !== "none" && next.parity === "none";
  return echo ? { ...next, parity: previous.parity } : next;
}

export function watchTermios(
  o: { path: string } & ({ pid: number } | { command: readonly string[]; env?: NodeJS.ProcessEnv }),
): TermiosWatch {
  const wanted = new Set([o.path]);
  try {
    wanted.add(realpathSync(o.path));
  } catch {
    // not there yet: the program opens it by the same name
  }
  let settings: LineSettings | undefined;
  // -y prints each fd with its path ("17</dev/pts/5>"), so no bookkeeping of opens and closes is
  // needed to know which calls touch the device.
  const flags = [
    "-f",
    "-y",
    "--seccomp-bpf",
    "-qq",
    "-v",
    "-s",
    "512",
    "-e",
    "trace=openat,ioctl",
    "-e",
    "signal=none",
  ];
  // strace writes the trace to its stderr, unbuffered; the program's stderr joins its stdout.
  const strace =
    "pid" in o
      ? spawn("strace", [...flags, "-p", String(o.pid)], { stdio: ["ignore", "ignore", "pipe"] })
      : spawn("strace", [...flags, "--", "sh", "-c", 'exec "$@" 2>&1', "sh", ...o.command], {
          stdio: ["ignore", "pipe", "pipe"],
          env: { ...process.env, ...o.env },
        });
  const trace = strace.stderr as NodeJS.ReadableStream;
  let attached: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    attached = resolve;
    setTimeout(resolve, 500).unref();
  });
  let rest = "";
  trace.on("data", (chunk: Buffer) => {
    attached();
    const lines = (rest + chunk.toString()).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  });
  strace.on("error", () => attached());

  function onLine(raw: string) {
    const line = raw.replace(/^\[pid\s+\d+\]\s*/, "");
    // A fresh open starts from what its first tcsetattr says, not from the last open's parity.
    const opened = /openat.* = \d+<([^>]+)>$/.exec(line);
    if (opened) {
      if (wanted.has(opened[1] as string)) settings = undefined;
      return;
    }
    const call = parseTermiosCall(line);
    if (call && wanted.has(call.path) && / = 0$/.test(line)) settings = keepParity(settings, call.settings);
  }

  return {
    process: strace,
    current: () => settings,
    ready,
    stop() {
      if (strace.exitCode !== null || strace.signalCode !== null) return Promise.resolve();
      const exited = new Promise<void>((resolve) => strace.once("exit", () => resolve()));
      strace.kill("SIGTERM");
      return exited;
    },
  };
}
