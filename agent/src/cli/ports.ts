import { readdirSync, realpathSync } from "node:fs";
import { join } from "node:path";

const BY_ID = "/dev/serial/by-id";

/** Stable names (/dev/serial/by-id/…) by the device they point to: /dev/ttyUSB0 moves between boots, these do not. */
function stableNames(dir = BY_ID): Map<string, string> {
  const names = new Map<string, string>();
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return names; // no USB serial adapter plugged in: udev has not created the folder
  }
  for (const name of entries) {
    try {
      names.set(realpathSync(join(dir, name)), join(dir, name));
    } catch {
      // a dangling link of an adapter just unplugged
    }
  }
  return names;
}

/** Lists serial ports with the path to put in the config: the by-id path when there is one. */
export async function listPorts(out: (line: string) => void = console.log): Promise<number> {
  const { SerialPort } = await import("serialport");
  const byId = stableNames();
  let ports: { path: string; manufacturer?: string; serialNumber?: string }[];
  try {
    ports = await SerialPort.list();
  } catch (err) {
    // serialport asks udevadm, which minimal images and containers lack: the by-id links still tell.
    out(`cannot ask udev for serial ports (${(err as Error).message}); listing ${BY_ID} instead`);
    ports = [...byId.keys()].map((path) => ({ path }));
  }
  if (ports.length === 0) {
    out("no serial ports found (is the USB adapter plugged in? `dmesg | tail` shows what the kernel saw)");
    return 0;
  }
  for (const p of ports) {
    const stable = byId.get(p.path);
    const what = [p.manufacturer, p.serialNumber && `serial ${p.serialNumber}`].filter(Boolean).join(", ");
    out(`${p.path}${what ? `  (${what})` : ""}`);
    out(
      `  use in the config: ${stable ?? `${p.path} (no /dev/serial/by-id name: the path may change between boots)`}`,
    );
  }
  return 0;
}
