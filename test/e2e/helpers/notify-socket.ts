import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startProcess } from "./process.js";
import { waitFor } from "./wait.js";

// Node cannot bind a unix datagram socket, so python3 plays systemd's end of NOTIFY_SOCKET. Like
// systemd, it reads without taking passed file descriptors, so the kernel closes them and
// systemd-notify's barrier (BARRIER=1 with a pipe) completes.
const RECEIVER = `
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound", flush=True)
while True:
    print(json.dumps(s.recv(65536).decode()), flush=True)
`;

export interface NotifySocket {
  /** The value for NOTIFY_SOCKET. */
  path: string;
  /** Every datagram received so far, each split into its VAR=value fields. */
  messages(): string[][];
  close(): Promise<void>;
}

export async function startNotifySocket(): Promise<NotifySocket> {
  const dir = mkdtempSync(join(tmpdir(), "tidegate-notify-"));
  const path = join(dir, "notify.sock");
  const proc = startProcess("python3", ["-c", RECEIVER, path]);
  await waitFor(
    () => `python3 bound to ${path}\n${proc.output()}`,
    () => {
      if (proc.child.exitCode !== null) throw new Error(`python3 exited: ${proc.output()}`);
      return proc.output().includes("bound");
    },
  );
  return {
    path,
    messages: () =>
      proc
        .output()
        .split("\n")
        .filter((line) => line.startsWith('"'))
        .map((line) => (JSON.parse(line) as string).split("\n")),
    async close() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
