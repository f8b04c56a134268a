import type { Logger } from "pino";
import type { CollectorOptions } from "../config/options.js";
import { type ReadingsBackend, sqliteReadings } from "./backend.js";
import { createInfluxReadings } from "./influx/index.js";
import type { SqliteStore } from "./sqlite-store.js";
import type { StoreWriter } from "./writer/index.js";

/** The readings backend the options choose; `start` begins its background work (InfluxDB retention setup). */
export function openReadings(
  options: CollectorOptions,
  store: SqliteStore,
  writer: StoreWriter,
  log: Logger,
): ReadingsBackend & { start(): void } {
  if (options.store !== "influx") return { ...sqliteReadings(store, writer), start() {} };
  const readings = createInfluxReadings(
    {
      url: options.influxUrl as string, // checked by the options schema
      api: options.influxApi,
      db: options.influxDb,
      org: options.influxOrg,
      token: options.influxToken,
      user: options.influxUser,
      password: options.influxPassword,
    },
    { isRecorded: store.isRecorded, recordBatches: writer.recordBatches },
    log,
    { retentionDays: options.influxRetentionDays },
  );
  log.info(
    { url: options.influxUrl, api: options.influxApi, db: options.influxDb },
    "readings go to InfluxDB; the registry stays in SQLite",
  );
  return readings;
}
