import type { OpcuaProfile } from "@tidegate/profiles";
import type { SourceHealth } from "@tidegate/protocol";
import type { OpcuaSource, OpcuaSourceOptions } from "./source.js";

export { type OpcuaTransport, opcuaTransportSchema } from "./config.js";

/**
 * An OPC UA device whose client library is loaded when it starts: node-opcua is tens of MB in heap,
 * and an agent with no OPC UA device should not pay for it (decision 28).
 */
export function createLazyOpcuaSource(options: OpcuaSourceOptions) {
  let source: OpcuaSource | undefined;
  let stopped = false;
  let loadError: string | undefined;
  return {
    id: options.device.id,
    profile: options.profile as OpcuaProfile,
    async start() {
      stopped = false;
      try {
        const { createOpcuaSource } = await import("./source.js");
        source ??= createOpcuaSource(options);
      } catch (err) {
        loadError = `cannot load the OPC UA client: ${(err as Error).message}`;
        options.log.error({ device: options.device.id }, loadError);
        return;
      }
      if (!stopped) source.start();
    },
    async stop() {
      stopped = true;
      await source?.stop();
    },
    health(): SourceHealth & { lastPollTs?: number } {
      if (source) return source.health();
      return {
        device: options.device.id,
        status: loadError ? "failing" : "starting",
        successRate: 0,
        ...(loadError ? { lastError: loadError } : {}),
      };
    },
    dropped: (): Record<string, number> => source?.stats().dropped ?? {},
    async browse(node?: string) {
      if (!source) throw new Error(`${options.device.id}: the OPC UA client is not running`);
      return source.browse(node);
    },
  };
}
