import { statfsSync } from "node:fs";
import { availableParallelism, cpus, loadavg, platform, release, tmpdir, totalmem } from "node:os";

const FS_TYPES: Record<number, string> = {
  61267: "ext4",
  16914836: "tmpfs",
  1481003842: "xfs",
  2435016766: "btrfs",
  2035054128: "overlayfs",
};

/** One line describing where the figures came from. */
export function describeMachine(): string {
  const model = cpus()[0]?.model.trim() || "unknown CPU";
  const ram = (totalmem() / 1024 ** 3).toFixed(1);
  let disk = "";
  try {
    const fs = statfsSync(tmpdir());
    disk = `, temp dir ${tmpdir()} on ${FS_TYPES[fs.type] ?? `fs 0x${fs.type.toString(16)}`}`;
  } catch {
    // statfs is not available everywhere; the line is still useful without it
  }
  const load = loadavg()[0]?.toFixed(2) ?? "?";
  return (
    `${model}, ${availableParallelism()} cores, ${ram} GB RAM, ${platform()} ${release()}, ` +
    `node ${process.version}${disk}, load average ${load} at start`
  );
}
