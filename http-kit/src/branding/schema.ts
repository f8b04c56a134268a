import { z } from "zod";

const colour = z
  .string()
  .regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, "a CSS hex colour such as #0b5cad")
  .describe("a CSS hex colour such as #0b5cad");

/**
 * White-label settings: the name, logo, colours and footer link the fleet and local views show
 * instead of Tidegate's, read at start (no rebuild). The collector reads them from its branding
 * file, the agent from its config's `branding:`.
 */
export const brandingSchema = z
  .object({
    productName: z.string().trim().min(1).max(60).describe("shown in the title and the top bar").optional(),
    logo: z
      .string()
      .min(1)
      .describe("an SVG, PNG, JPEG or WebP file (up to 256 KB), relative to the file that names it")
      .optional(),
    colors: z
      .object({
        primary: colour.describe("buttons, links, focus and the selection").optional(),
        accent: colour.describe("the top bar's stripe and the brand name").optional(),
      })
      .strict()
      .optional(),
    footer: z
      .object({
        text: z.string().trim().min(1).max(100),
        url: z
          .url({ protocol: /^https?$/, error: "an http:// or https:// URL" })
          .describe("an http:// or https:// URL"),
      })
      .strict()
      .describe("a link at the foot of every page, e.g. to the integrator's support")
      .optional(),
  })
  .strict();

export type BrandingSettings = z.infer<typeof brandingSchema>;
