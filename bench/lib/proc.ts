// What Linux's /proc says about a process the bench started: CPU time and resident memory.
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ; 100 on Linux). */
const TICKS_PER_S = 100;

/** User + system CPU time the process has used so far, in ms (10 ms resolution); undefined once it is gone. */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / TICKS_PER_S;
  } catch {
    return undefined;
  }
}

/**
 * A field of /proc/<pid>/status in kB, undefined once the process is gone. VmRSS: resident now
 * (= RssAnon, the process's own memory, + RssFile, mapped files such as the node binary, shared with
 * other processes mapping them); VmHWM: the peak of VmRSS.
 */
export function statusKb(pid: number, field: "VmRSS" | "VmHWM" | "RssAnon" | "RssFile"): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Resident kB of the process's mappings of `file` (e.g. the node binary); undefined once it is gone. */
export function fileRssKb(pid: number, file: string): number | undefined {
  try {
    let kb = 0;
    let inFile = false;
    for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
      // A mapping's header line: address range, permissions, offset, device, inode, path.
      if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) inFile = line.endsWith(` ${file}`);
      else if (inFile && line.startsWith("Rss:")) kb += Number(line.split(/\s+/)[1]);
    }
    return kb;
  } catch {
    return undefined;
  }
}

/** The pid of a running process whose command line holds every one of `args` (e.g. ["nats-server", "4222"]). */
export function findPid(args: readonly string[]): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (args.every((a) => cmdline.some((c) => c === a || c.endsWith(`/${a}`)))) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  return undefined;
}
