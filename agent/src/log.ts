import pino from "pino";

/** JSON logs to stdout (journald and docker collect them); level from TIDEGATE_LOG_LEVEL. */
export function createLogger(name: string) {
  return pino({ name, level: process.env.TIDEGATE_LOG_LEVEL ?? "info" });
}
