import pino from "pino";
import type { LogRing } from "./log-ring.js";

/**
 * JSON logs to stdout (journald and docker collect them); level from TIDEGATE_LOG_LEVEL. With a
 * ring, every line is also kept there for remote `logs.tail`.
 */
export function createLogger(name: string, options: { ring?: LogRing } = {}) {
  const level = process.env.TIDEGATE_LOG_LEVEL ?? "info";
  if (!options.ring) return pino({ name, level });
  // The streams take every line the logger lets through, so an admin changing the logger's level
  // at run time (PUT /api/v1/log-level) changes what both of them get.
  return pino(
    { name, level },
    pino.multistream([
      { stream: pino.destination(1), level: "trace" },
      { stream: options.ring, level: "trace" },
    ]),
  );
}
