import type { DeviceStatus, LatestReading } from "@tidegate/protocol";

export interface DeviceGroup {
  id: string;
  /** Undefined when readings exist for a device the status endpoint did not list (yet). */
  status: DeviceStatus | undefined;
  readings: LatestReading[];
}

/**
 * One group per device, in the status endpoint's order, then any device that only appears in
 * the readings. Readings keep the API's order within a device.
 */
export function groupByDevice(
  devices: readonly DeviceStatus[],
  readings: readonly LatestReading[],
): DeviceGroup[] {
  const groups = new Map<string, DeviceGroup>();
  for (const d of devices) groups.set(d.id, { id: d.id, status: d, readings: [] });
  for (const r of readings) {
    let g = groups.get(r.device);
    if (!g) {
      g = { id: r.device, status: undefined, readings: [] };
      groups.set(r.device, g);
    }
    g.readings.push(r);
  }
  return [...groups.values()];
}
