import type { Auth } from "@tidegate/http-kit";
import type { CommissionAddAnswer, CommissionPreviewAnswer, CommissionScanAnswer } from "@tidegate/protocol";
import { Hono } from "hono";
import {
  CANDIDATE_HELP,
  CandidateError,
  candidateSchema,
  type Preview,
  PreviewTimeoutError,
} from "../commission/add/preview.js";
import type { ProfileStore } from "../commission/profile/profile-store.js";
import { SCAN_REQUEST_HELP, scanRequestSchema } from "../commission/scan/request.js";
import { ScanBusyError, type Scanner } from "../commission/scan/scanner.js";
import type { DeviceConfig } from "../config/schema.js";
import { ChangeBusyError, CommandError, ConfigRolledBackError } from "../remote/errors.js";
import { userCertificateOutsideRoots } from "../sources/opcua/user-cert.js";
import { commissionCsvRoutes, type DevicesCsvTools } from "./commission-csv-routes.js";
import { commissionProfileRoutes } from "./commission-profile-routes.js";
import { issuesText } from "./issues-text.js";

export interface CommissionTools {
  scan?: Scanner;
  preview?: Preview;
  /** Adds a device through the config change path (remote/config-changes.ts). */
  addDevice?: (
    device: DeviceConfig,
    meta: { actor?: string; timeoutMs: number },
  ) => Promise<{ version: number; devices: string[] }>;
  /** CSV export and import of devices. */
  devicesCsv?: DevicesCsvTools;
  /** Profiles built on the commissioning page, saved in the gateway's profiles folder. */
  profiles?: ProfileStore;
  /** The only folders an OPC UA device's user certificate and key may be in (userCertificateOutsideRoots). */
  userCertRoots?: readonly string[];
}

const notWired = { error: "the commissioning scan is not available in this agent" };

/**
 * The commissioning page's scan (operator): start one, read its progress and result (kept until
 * the next scan), cancel it. Reading it also keeps a scan that pauses polling alive: when nobody
 * reads for a while (the browser went away) it is cancelled and polling resumes.
 */
export function commissionRoutes(auth: Auth, tools: CommissionTools): Hono {
  const app = new Hono();
  const operator = auth.need("operator");

  app.get("/api/v1/commission/scan", operator, (c) => {
    if (!tools.scan) return c.json(notWired, 404);
    const scan = tools.scan.status();
    return scan
      ? c.json(scan satisfies CommissionScanAnswer)
      : c.json({ error: "no scan yet: POST /api/v1/commission/scan starts one" }, 404);
  });

  app.post("/api/v1/commission/scan", operator, async (c) => {
    const parsed = scanRequestSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: SCAN_REQUEST_HELP }, 400);
    if (!tools.scan) return c.json(notWired, 404);
    try {
      const scan = tools.scan.start(parsed.data);
      auth.audit(c, "commission.scan", {
        target: scan.target,
        detail: `${scan.progress.settingsTotal} settings${scan.skipped.length ? `, ${scan.skipped.length} left out (polling would pause)` : ""}`,
      });
      return c.json(scan satisfies CommissionScanAnswer, 202);
    } catch (err) {
      if (err instanceof ScanBusyError) return c.json({ error: err.message }, 409);
      throw err;
    }
  });

  async function candidate(c: { req: { json(): Promise<unknown> } }) {
    const body = await c.req.json().catch(() => undefined);
    const parsed = candidateSchema.safeParse(body);
    if (!parsed.success)
      return { ok: false as const, error: `${issuesText(parsed.error)}. ${CANDIDATE_HELP}` };
    const t = parsed.data.device.transport;
    const outside =
      t.type === "opcua" && tools.userCertRoots
        ? userCertificateOutsideRoots(t.auth, tools.userCertRoots, "device.transport.auth")
        : undefined;
    return outside ? { ok: false as const, error: outside } : { ok: true as const, data: parsed.data };
  }

  // Reads a candidate device a few times and answers its values; nothing is saved.
  app.post("/api/v1/commission/preview", operator, async (c) => {
    const parsed = await candidate(c);
    if (!parsed.ok) return c.json({ error: parsed.error }, 400);
    if (!tools.preview) return c.json({ error: "the device preview is not available in this agent" }, 404);
    try {
      return c.json((await tools.preview.preview(parsed.data)) satisfies CommissionPreviewAnswer);
    } catch (err) {
      if (err instanceof CandidateError) return c.json({ error: err.message }, 400);
      if (err instanceof PreviewTimeoutError) return c.json({ error: err.message }, 504);
      return c.json({ error: `preview failed: ${(err as Error).message}` }, 502);
    }
  });

  // Adds the device: a new config version (config history), rolled back if it does not come up.
  app.post("/api/v1/commission/devices", operator, async (c) => {
    const parsed = await candidate(c);
    if (!parsed.ok) return c.json({ error: parsed.error }, 400);
    if (!tools.addDevice) return c.json({ error: "adding devices is not available in this agent" }, 404);
    const { device, timeoutMs } = parsed.data;
    if (parsed.data.draft)
      return c.json(
        {
          error: `draft: a device is added with a saved profile; save ${parsed.data.draft.profile.id} first (POST /api/v1/commission/profiles)`,
        },
        400,
      );
    const actor: string | undefined = c.get("principal")?.name;
    try {
      const result = await tools.addDevice(device, { timeoutMs, ...(actor ? { actor } : {}) });
      auth.audit(c, "commission.add", { target: device.id, detail: `config version ${result.version}` });
      return c.json({ ...result, device: device.id } satisfies CommissionAddAnswer, 201);
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      auth.audit(c, "commission.add", { target: device.id, detail: err.message, ok: false });
      if (err instanceof ChangeBusyError) return c.json({ error: err.message }, 409);
      if (err instanceof ConfigRolledBackError) return c.json({ error: err.message, rolledBack: true }, 502);
      return c.json({ error: err.message }, 400);
    }
  });

  if (tools.devicesCsv) app.route("/", commissionCsvRoutes(auth, tools.devicesCsv));
  app.route("/", commissionProfileRoutes(auth, tools.profiles));

  app.delete("/api/v1/commission/scan", operator, (c) => {
    if (!tools.scan) return c.json(notWired, 404);
    const cancelled = tools.scan.cancel();
    if (cancelled) auth.audit(c, "commission.scan.cancel", {});
    return c.json({ cancelled });
  });
  return app;
}
