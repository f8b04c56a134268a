export {
  type Branding,
  DEFAULT_PRODUCT_NAME,
  defaultBranding,
  LOGO_PATH,
  resolveBranding,
} from "./resolve.js";
export { BRANDING_PATH, mountBrandingRoutes } from "./routes.js";
export { type BrandingSettings, brandingSchema } from "./schema.js";
