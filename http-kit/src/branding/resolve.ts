import { readFileSync, statSync } from "node:fs";
import { dirname, extname, isAbsolute, resolve } from "node:path";
import type { BrandingAnswer } from "@tidegate/protocol";
import type { BrandingSettings } from "./schema.js";

export const DEFAULT_PRODUCT_NAME = "Tidegate";
export const LOGO_PATH = "/api/v1/branding/logo";
const LOGO_MAX_BYTES = 256 * 1024;
const LOGO_TYPES: Record<string, string> = {
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
};

/** What the branding routes serve: the answer the pages read, and the logo's bytes. */
export interface Branding {
  answer: BrandingAnswer;
  logo?: { bytes: Buffer; type: string };
}

export const defaultBranding = (): Branding => ({ answer: { productName: DEFAULT_PRODUCT_NAME } });

/**
 * Reads the logo (relative to the directory of `file`, the file that names it) and fills in the
 * defaults. Throws `fail(message)` naming the file and the setting's path (`path` is where the
 * settings sit in that file: "" at its root, "branding" in the agent's config).
 */
export function resolveBranding(
  settings: BrandingSettings | undefined,
  o: { file: string; path?: string; fail: (message: string) => Error },
): Branding {
  if (!settings) return defaultBranding();
  const answer: BrandingAnswer = {
    productName: settings.productName ?? DEFAULT_PRODUCT_NAME,
    ...(settings.colors ? { colors: settings.colors } : {}),
    ...(settings.footer ? { footer: settings.footer } : {}),
  };
  if (!settings.logo) return { answer };
  const at = `${o.file}: at ${o.path ? `${o.path}.` : ""}logo`;
  const file = isAbsolute(settings.logo) ? settings.logo : resolve(dirname(resolve(o.file)), settings.logo);
  const type = LOGO_TYPES[extname(file).toLowerCase()];
  if (!type) throw o.fail(`${at}: expected an .svg, .png, .jpg or .webp file, found ${settings.logo}`);
  let bytes: Buffer;
  try {
    if (statSync(file).size > LOGO_MAX_BYTES)
      throw new Error(`larger than ${LOGO_MAX_BYTES / 1024} KB; a top-bar logo needs far less`);
    bytes = readFileSync(file);
  } catch (err) {
    throw o.fail(`${at}: cannot use ${file}: ${(err as Error).message}`);
  }
  return { answer: { ...answer, logoUrl: LOGO_PATH.slice(1) }, logo: { bytes, type } };
}
