import type { Hono } from "hono";
import { type Branding, LOGO_PATH } from "./resolve.js";

export const BRANDING_PATH = "/api/v1/branding";

/**
 * The white-label answer and logo, open to anyone: the sign-in page shows them before anybody
 * has signed in. They hold nothing secret (what an integrator prints on the box).
 */
export function mountBrandingRoutes(app: Hono, branding: Branding) {
  app.get(BRANDING_PATH, (c) => c.json(branding.answer, 200, { "cache-control": "no-cache" }));
  app.get(LOGO_PATH, (c) => {
    const logo = branding.logo;
    if (!logo) return c.json({ error: "no logo is configured" }, 404);
    return c.body(new Uint8Array(logo.bytes), 200, {
      "content-type": logo.type,
      // An SVG opened on its own runs no inline script: the service's content policy covers it too.
      "cache-control": "no-cache",
    });
  });
}
