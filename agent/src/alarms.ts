import type { BufferStats } from "./buffer/buffer.js";
import type { UplinkStatus } from "./uplink/uplink.js";

export interface Alarm {
  code: string;
  message: string;
  since: number;
}

/** Conditions an operator must look at, from every part of the agent: status API and heartbeat say the same. */
export function agentAlarms(buffer: BufferStats, uplink: UplinkStatus): Alarm[] {
  const alarms: Alarm[] = buffer.alarms.map((a) => ({ code: a.code, message: a.message, since: a.since }));
  if (uplink.wire.mismatch && uplink.wire.heldSince !== undefined)
    alarms.push({ code: "wire-mismatch", message: uplink.wire.mismatch, since: uplink.wire.heldSince });
  return alarms;
}
