import { readFileSync } from "node:fs";
import { gatewayIdSchema } from "@tidegate/protocol";
import { parse } from "yaml";
import { z } from "zod";
import { OptionsError } from "./options.js";

/** `sites: { <site name>: [gateway ids] }`: how the fleet view groups gateways. */
const sitesFileSchema = z
  .object({ sites: z.record(z.string().min(1), z.array(gatewayIdSchema)) })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Map<string, string>();
    for (const [site, gateways] of Object.entries(f.sites))
      gateways.forEach((gw, i) => {
        const other = seen.get(gw);
        if (other !== undefined)
          ctx.addIssue({
            code: "custom",
            path: ["sites", site, i],
            message: `gateway ${gw} is already in site '${other}'`,
          });
        seen.set(gw, site);
      });
  });

/** Reads the sites file into gateway id -> site; errors name the file, the path and what was expected. */
export function loadSites(file: string): Record<string, string> {
  let data: unknown;
  try {
    data = parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new OptionsError(`${file}: cannot read the sites file: ${(err as Error).message}`);
  }
  const parsed = sitesFileSchema.safeParse(data);
  if (!parsed.success)
    throw new OptionsError(
      `${file}: invalid sites file\n${parsed.error.issues.map((i) => `  at ${i.path.join(".") || "(root)"}: ${i.message}`).join("\n")}`,
    );
  const bySite: Record<string, string> = {};
  for (const [site, gateways] of Object.entries(parsed.data.sites))
    for (const gw of gateways) bySite[gw] = site;
  return bySite;
}
