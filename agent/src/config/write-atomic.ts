import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";

/** Written to a temporary name, synced and renamed: a power cut leaves the old or the new file, never half of one; `mode` for secrets (0o600). */
export function writeFileAtomic(path: string, text: string, mode = 0o666): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w", mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
