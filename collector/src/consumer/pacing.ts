import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { encodeFleetPacing, FLEET_PACING_KEY, spreadForFleet, TIDEGATE_KV_BUCKET } from "@tidegate/protocol";
import type { Logger } from "pino";

export interface FleetPacingOptions {
  /** How often the fleet's size is checked; the key is written only when the window changes. */
  intervalMs?: number;
}

/**
 * Tells the fleet how to spread its redials (protocol/fleet-pacing.ts): the window follows the
 * number of gateways this collector knows, so a site of ten redials at once and a fleet of a
 * thousand spreads its first redials over 15 s. The settings bucket is made by the telemetry
 * consumer; until it exists, the next check tries again.
 */
export function startFleetPacing(
  nc: NatsConnection,
  countGateways: () => number,
  log: Logger,
  options: FleetPacingOptions = {},
) {
  let announced: number | undefined;
  let running: Promise<void> | undefined;
  const check = () => {
    if (running) return;
    const gateways = countGateways();
    const spreadMs = spreadForFleet(gateways);
    if (spreadMs === announced) return;
    running = (async () => {
      const kv = await new Kvm(nc).open(TIDEGATE_KV_BUCKET);
      await kv.put(FLEET_PACING_KEY, encodeFleetPacing({ v: 1, gateways, spreadMs, at: Date.now() }));
      if (announced !== undefined) log.info({ gateways, spreadMs }, "fleet redial window changed");
      announced = spreadMs;
    })()
      .catch(() => {
        // No bucket yet, or the link is down: the next check tries again.
      })
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(check, options.intervalMs ?? 10_000);
  timer.unref();
  check();
  return {
    /** The window last written, if any. */
    announced: () => announced,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
