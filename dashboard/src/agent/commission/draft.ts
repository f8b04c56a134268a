import type { DeviceDraft, FoundDevice, ScanRequest, SerialSetting, Transport } from "./commission-api.js";

/** Where the scan looked, as the new device's transport at the setting the device answered. */
export function transportOf(req: ScanRequest, found: FoundDevice): Transport {
  if ("host" in req) return { type: "tcp", host: req.host, port: req.port };
  const s = found.serial ?? { baudRate: 9600, parity: "none", dataBits: 8, stopBits: 1 };
  return { type: "rtu", port: req.serial, ...s };
}

/** The transport with the line setting the technician chose (RTU only; others are as they are). */
export function withSerial(transport: Transport, setting: SerialSetting | undefined): Transport {
  return transport.type === "rtu" && setting ? { ...transport, ...setting } : transport;
}

/** A device id from the profile and unit id ("sdm120-7"), in the letters the config allows. */
export function suggestId(profile: string, unitId: number, taken: readonly string[]): string {
  const model = (profile.split("/").at(-1) ?? "device").replace(/[^A-Za-z0-9_-]+/g, "-") || "device";
  const base = `${model}-${unitId}`;
  let id = base;
  for (let n = 2; taken.includes(id); n++) id = `${base}-${n}`;
  return id;
}

/** The device to preview or add; `points` is left out when every point is chosen (the config's default). */
export function deviceOf(o: {
  id: string;
  profile: string;
  transport: Transport;
  unitId: number;
  pollIntervalMs: number;
  points: readonly string[];
  allPoints: readonly string[];
}): DeviceDraft {
  const all = o.allPoints.length > 0 && o.allPoints.every((p) => o.points.includes(p));
  return {
    id: o.id.trim(),
    profile: o.profile,
    transport: o.transport,
    unitId: o.unitId,
    pollIntervalMs: o.pollIntervalMs,
    ...(all || o.points.length === 0 ? {} : { points: [...o.points] }),
  };
}
