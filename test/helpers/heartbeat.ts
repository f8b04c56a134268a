import { HEARTBEAT_VERSION, type Heartbeat } from "@tidegate/protocol";

/** A heartbeat of an idle, healthy gateway whose clock reads `ts`; `extra` overrides fields. */
export function heartbeatAt(gateway: string, ts: number, extra: Partial<Heartbeat> = {}): Heartbeat {
  return {
    v: HEARTBEAT_VERSION,
    gateway,
    version: "0.1.0",
    ts,
    uptimeS: 1,
    backlog: 0,
    oldestUnsentAgeMs: null,
    lastSeq: 0,
    epoch: 0,
    ackedSeq: 0,
    dropped: {},
    droppedRanges: [],
    uplinkConnected: true,
    alarms: [],
    sources: [],
    activeAlerts: [],
    ...extra,
  };
}
