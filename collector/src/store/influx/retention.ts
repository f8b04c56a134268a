import { ident } from "./influxql.js";
import type { InfluxQL } from "./query.js";

/** The retention policy the collector creates when asked to (`--influx-retention-days`). */
export const TIDEGATE_POLICY = "tidegate";

/**
 * InfluxDB 1.x: makes sure the database exists and that its default retention policy keeps raw
 * readings `days` days (0: forever). Rollups need no policy of their own: charts aggregate with
 * GROUP BY time() at query time. Needs an admin user when authentication is on.
 */
export function retentionStatements(db: string, days: number): { create: string; alter: string } {
  const duration = days > 0 ? `${Math.round(days * 24)}h` : "INF";
  const on = `${ident(TIDEGATE_POLICY)} ON ${ident(db)} DURATION ${duration}`;
  return {
    create: `CREATE DATABASE ${ident(db)}; CREATE RETENTION POLICY ${on} REPLICATION 1 DEFAULT`,
    alter: `ALTER RETENTION POLICY ${on} DEFAULT`,
  };
}

export async function applyRetention(ql: InfluxQL, db: string, days: number): Promise<void> {
  const { create, alter } = retentionStatements(db, days);
  try {
    await ql.query(create, { method: "POST", database: false });
  } catch (err) {
    if (!/already exists/.test((err as Error).message)) throw err;
    await ql.query(alter, { method: "POST", database: false });
  }
}
