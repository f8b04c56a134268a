import { readFileSync } from "node:fs";
import { type Branding, brandingSchema, resolveBranding } from "@tidegate/http-kit";
import { parse } from "yaml";
import { OptionsError } from "./options.js";

/**
 * Reads the white-label file (--branding): productName, logo (relative to the file), colors and
 * footer. Errors name the file, the path and what was expected.
 */
export function loadBranding(file: string): Branding {
  let data: unknown;
  try {
    data = parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new OptionsError(`${file}: cannot read the branding file: ${(err as Error).message}`);
  }
  const parsed = brandingSchema.safeParse(data ?? {});
  if (!parsed.success)
    throw new OptionsError(
      `${file}: invalid branding file\n${parsed.error.issues.map((i) => `  at ${i.path.join(".") || "(root)"}: ${i.message}`).join("\n")}`,
    );
  return resolveBranding(parsed.data, { file, fail: (m) => new OptionsError(m) });
}
