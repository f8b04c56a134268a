import type { Auth } from "@tidegate/http-kit";
import { profileIdSchema } from "@tidegate/profiles";
import { Hono } from "hono";
import { z } from "zod";
import {
  DraftProfileError,
  displayReadingSchema,
  draftProfileSchema,
  draftProfileYaml,
  draftToProfile,
  testdataFromReadings,
} from "../commission/profile/draft-profile.js";
import { ProfileConflictError, type ProfileStore } from "../commission/profile/profile-store.js";
import { issuesText } from "./issues-text.js";

const saveBodySchema = draftProfileSchema
  .extend({
    /** Registers read from the device and what its display showed: checked, then the testdata. */
    readings: z.array(displayReadingSchema).max(500).default([]),
    /** Overwrite a profile saved before under the same id (refused while a device uses it). */
    replace: z.boolean().default(false),
  })
  .strict();

const SAVE_HELP =
  "the body must be JSON: { profile: { id: <vendor/model>, vendor, model, title: <manual title>, url: <manual URL>, unitId?, baudRate? }, table: [{ address, name, type, order?, scale?, unit?, access?, … }], readings?: [{ point, raw: [<register words>], display: <what the device shows> }], replace? }";

/**
 * A profile for a device no profile fits (operator): built from the commissioning page's register
 * table, checked against what the device's display shows, and saved in the gateway's profiles
 * folder; `?dryRun=true` answers the file without saving it. Saved profiles can be downloaded.
 */
export function commissionProfileRoutes(auth: Auth, store: ProfileStore | undefined): Hono {
  const app = new Hono();
  const operator = auth.need("operator");
  const notWired = { error: "saving profiles is not available in this agent" };

  app.post("/api/v1/commission/profiles", operator, async (c) => {
    const parsed = saveBodySchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: `${issuesText(parsed.error)}. ${SAVE_HELP}` }, 400);
    const dryRun = c.req.query("dryRun") === "true";
    if (!store) return c.json(notWired, 404);
    const { readings, replace, ...draft } = parsed.data;
    const actor: string | undefined = c.get("principal")?.name;
    let built: { id: string; yaml: string; profile: ReturnType<typeof draftToProfile>["profile"] };
    try {
      const { input, profile } = draftToProfile(draft);
      const testdata = testdataFromReadings(profile, readings);
      built = { id: profile.id, yaml: draftProfileYaml(input, testdata, actor), profile };
    } catch (err) {
      if (err instanceof DraftProfileError) return c.json({ error: err.message, issues: err.issues }, 400);
      throw err;
    }
    const answer = { profile: built.id, points: built.profile.points.length, testdata: readings.length };
    if (dryRun) return c.json({ ...answer, dryRun: true, file: store.fileOf(built.id), yaml: built.yaml });
    try {
      const saved = store.save(built.profile, built.yaml, replace);
      auth.audit(c, "commission.profile", {
        target: built.id,
        detail: `${saved.replaced ? "replaced" : "saved"} ${saved.file}`,
      });
      return c.json({ ...answer, ...saved, yaml: built.yaml }, 201);
    } catch (err) {
      if (!(err instanceof ProfileConflictError)) throw err;
      auth.audit(c, "commission.profile", { target: built.id, detail: err.message, ok: false });
      return c.json({ error: err.message }, 409);
    }
  });

  app.get("/api/v1/commission/profiles/:vendor/:model", operator, (c) => {
    const id = `${c.req.param("vendor")}/${c.req.param("model").replace(/\.ya?ml$/, "")}`;
    if (!profileIdSchema.safeParse(id).success)
      return c.json({ error: `'${id}' is not a profile id: expected <vendor>/<model>, lowercase` }, 400);
    if (!store) return c.json(notWired, 404);
    const text = store.read(id);
    if (text === undefined) return c.json({ error: `no profile ${id} was saved on this gateway` }, 404);
    c.header("content-type", "application/yaml; charset=utf-8");
    c.header("content-disposition", `attachment; filename="${id.split("/")[1]}.yaml"`);
    return c.body(text);
  });
  return app;
}
