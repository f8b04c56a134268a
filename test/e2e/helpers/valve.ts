import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadProfiles, type Profile } from "@tidegate/profiles";

/**
 * A valve controller for the remote-management tests: a writable float32 setpoint in CDAB order
 * (the layout peers get wrong on writes) and a read-only flow.
 */
export const VALVE_PROFILE = `
id: acme/valve
vendor: ACME
model: Valve controller
protocols: [modbus-tcp]
source: { title: "Test profile for remote writes", url: "https://example.com/valve" }
points:
  - id: setpoint
    name: Flow setpoint
    unit: m3/h
    register: { table: holding, address: 10, type: float32, order: CDAB }
    access: readwrite
    min: 0
    max: 20000
    simulate: { kind: constant, value: 100 }
  - id: flow
    name: Flow
    unit: m3/h
    register: { table: input, address: 0, type: float32, order: CDAB }
    simulate: { kind: sine, min: 10, max: 90, periodS: 60 }
`;

/** Writes the valve profile under `work/profiles`; the simulator needs the loaded profile. */
export function writeValveProfile(work: string): { profilesDir: string; profile: Profile } {
  const profilesDir = join(work, "profiles");
  mkdirSync(join(profilesDir, "acme"), { recursive: true });
  writeFileSync(join(profilesDir, "acme", "valve.yaml"), VALVE_PROFILE);
  return { profilesDir, profile: loadProfiles([profilesDir]).get("acme/valve") as Profile };
}

/** One valve on a Modbus TCP port, as a line of an agent config's `devices:`. */
export const valveDevice = (id: string, port: number, pollIntervalMs = 200) =>
  `  - { id: ${id}, profile: acme/valve, transport: { type: tcp, host: 127.0.0.1, port: ${port} }, pollIntervalMs: ${pollIntervalMs}, timeoutMs: 300, retries: 0 }\n`;

/** An agent config for valves; `devices` is lines from valveDevice, `extra` more top-level YAML. */
export function valveAgentConfig(o: {
  gateway: string;
  natsUrl: string;
  profilesDir: string;
  devices: string;
  extra?: string;
}): string {
  return `version: 1
gateway: ${o.gateway}
http: { host: 127.0.0.1 }
nats: { servers: ["${o.natsUrl}"], heartbeatIntervalMs: 500, user: gw, password: not-checked-here }
buffer: { path: buffer.db, commitIntervalMs: 50 }
profilesDirs: ["${o.profilesDir}"]
devices:
${o.devices}${o.extra ?? ""}`;
}
