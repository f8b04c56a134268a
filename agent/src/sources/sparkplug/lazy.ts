import type { DeviceView } from "../index.js";
import type { createSparkplugSource, SparkplugSourceOptions } from "./source.js";

/**
 * A Sparkplug B group whose host and protobuf codec (@bufbuild/protobuf, ~0.5 MB of module source
 * alone) are loaded when it starts, so an agent without `sparkplugSources` never holds them
 * (decision 54). Until then it knows no devices: they come from births.
 */
export function createLazySparkplugSource(options: SparkplugSourceOptions) {
  let source: ReturnType<typeof createSparkplugSource> | undefined;
  let stopped = false;
  return {
    async start() {
      stopped = false;
      const { createSparkplugSource } = await import("./source.js");
      // Stopped while the module loaded (a config change right after start): never connect.
      if (stopped) return;
      source ??= createSparkplugSource(options);
      await source.start();
    },
    async stop() {
      stopped = true;
      await source?.stop();
    },
    devices: (): DeviceView[] => source?.devices() ?? [],
    dropped: (): Record<string, number> => source?.dropped() ?? {},
  };
}
