import { join } from "node:path";
import { unsentReadings } from "../../helpers/buffer-file.js";
import { freePort } from "./ports.js";
import { startAgent } from "./tidegate.js";

export interface OpcuaAgentOptions {
  gateway: string;
  /** The device entry's fields besides id, profile and transport (pollIntervalMs, points). */
  device?: Record<string, unknown> & { id: string };
  /** Transport fields besides type and endpoint. */
  transport?: Record<string, unknown>;
  /** Default: a port nothing listens on, so every reading stays in the buffer file. */
  natsUrl?: string;
}

/**
 * The built agent reading one OPC UA device of profile generic/opcua-machine at `endpoint`, and
 * its buffered readings read straight from the buffer file.
 */
export async function startOpcuaAgent(endpoint: string, options: OpcuaAgentOptions) {
  const natsUrl = options.natsUrl ?? `nats://127.0.0.1:${await freePort()}`;
  const device = {
    profile: "generic/opcua-machine",
    ...(options.device ?? { id: "press-1" }),
    transport: { type: "opcua", endpoint, ...options.transport },
  };
  // JSON is YAML: the device entry is written as one flow mapping.
  const agent = await startAgent(`version: 1
gateway: ${options.gateway}
http: { host: 127.0.0.1 }
nats: { servers: ["${natsUrl}"], heartbeatIntervalMs: 500 }
buffer: { path: buffer.db, commitIntervalMs: 50 }
devices:
  - ${JSON.stringify(device)}
`);
  return Object.assign(agent, {
    buffered: () => unsentReadings(join(agent.dir, "buffer.db"), 0, 1_000_000),
  });
}
