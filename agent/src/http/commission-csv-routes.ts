import type { Auth } from "@tidegate/http-kit";
import { Hono } from "hono";
import type { CsvContext } from "../commission/csv/devices-csv.js";
import type { DeviceConfig } from "../config/schema.js";
import { ChangeBusyError, CommandError, ConfigRolledBackError } from "../remote/errors.js";

export interface DevicesCsvTools {
  /** The running devices and profiles the rows are checked against. */
  context(): CsvContext;
  /** Adds them all in one config change (remote/config-changes.ts). */
  add(
    devices: readonly DeviceConfig[],
    meta: { actor?: string; timeoutMs: number },
  ): Promise<{ version: number; devices: string[] }>;
}

/** A CSV body larger than this is refused: thousands of devices, more than one gateway polls. */
const MAX_CSV_BYTES = 1_000_000;
const IMPORT_TIMEOUT_MS = 30_000;
// csv-parse and csv-stringify load on the first import or export, not in every running agent (decision 54).
const csv = () => import("../commission/csv/devices-csv.js");

/**
 * Many devices at once (operator): export the gateway's Modbus devices as CSV, and import rows in
 * the same columns, every row checked before anything changes (`?dryRun=true` stops there), then
 * added in one config change.
 */
export function commissionCsvRoutes(auth: Auth, tools: DevicesCsvTools): Hono {
  const app = new Hono();
  const operator = auth.need("operator");

  app.get("/api/v1/commission/devices.csv", operator, async (c) => {
    const { devicesToCsv } = await csv();
    c.header("content-type", "text/csv; charset=utf-8");
    c.header("content-disposition", 'attachment; filename="devices.csv"');
    return c.body(devicesToCsv(tools.context().devices));
  });

  app.post("/api/v1/commission/devices.csv", operator, async (c) => {
    const dryRun = c.req.query("dryRun") === "true";
    const text = await c.req.text();
    if (text.length > MAX_CSV_BYTES)
      return c.json({ error: `the CSV is over ${MAX_CSV_BYTES} bytes; split it into several imports` }, 400);
    const { parseDevicesCsv } = await csv();
    const { devices, errors } = parseDevicesCsv(text, tools.context());
    if (errors.length > 0)
      return c.json(
        {
          error: `${errors.length} error${errors.length > 1 ? "s" : ""} in the CSV; nothing was changed: ${errors
            .slice(0, 5)
            .map((e) => `row ${e.row}, ${e.column}: ${e.message}`)
            .join("; ")}`,
          errors,
        },
        400,
      );
    const ids = devices.map((d) => d.id);
    if (dryRun) return c.json({ dryRun: true, devices: ids, errors: [] });
    const actor: string | undefined = c.get("principal")?.name;
    try {
      const result = await tools.add(devices, { timeoutMs: IMPORT_TIMEOUT_MS, ...(actor ? { actor } : {}) });
      auth.audit(c, "commission.import", {
        target: ids.join(", "),
        detail: `config version ${result.version}`,
      });
      return c.json({ ...result, imported: ids }, 201);
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      auth.audit(c, "commission.import", { target: ids.join(", "), detail: err.message, ok: false });
      if (err instanceof ChangeBusyError) return c.json({ error: err.message }, 409);
      if (err instanceof ConfigRolledBackError) return c.json({ error: err.message, rolledBack: true }, 502);
      return c.json({ error: err.message }, 400);
    }
  });
  return app;
}
