import type { BrandingAnswer } from "@tidegate/protocol";
import { createContext } from "preact";
import { useContext, useEffect, useState } from "preact/hooks";

export const DEFAULT_BRANDING: BrandingAnswer = { productName: "Tidegate" };

const HEX = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

/** The CSS variables a branding sets: the primary colour drives links, buttons and focus. */
export function brandingVariables(b: BrandingAnswer): Record<string, string> {
  const vars: Record<string, string> = {};
  const { primary, accent } = b.colors ?? {};
  if (primary && HEX.test(primary)) Object.assign(vars, { "--accent": primary, "--focus": primary });
  if (accent && HEX.test(accent)) vars["--brand-accent"] = accent;
  return vars;
}

/** The page's title: what it shows, then the product. */
export const pageTitle = (b: BrandingAnswer, what?: string) =>
  what ? `${what} · ${b.productName}` : b.productName;

export const BrandingContext = createContext<BrandingAnswer>(DEFAULT_BRANDING);
export const useBrand = () => useContext(BrandingContext);

/** Reads GET api/v1/branding once (open to anyone) and applies its colours; Tidegate's until then or on failure. */
export function useBranding(): BrandingAnswer {
  const [branding, setBranding] = useState(DEFAULT_BRANDING);
  useEffect(() => {
    fetch("api/v1/branding", { headers: { accept: "application/json" } })
      .then((res) => (res.ok ? (res.json() as Promise<BrandingAnswer>) : undefined))
      .then((b) => {
        if (!b || typeof b.productName !== "string") return;
        for (const [name, value] of Object.entries(brandingVariables(b)))
          document.documentElement.style.setProperty(name, value);
        document.title = pageTitle(b);
        setBranding(b);
      })
      .catch(() => undefined);
  }, []);
  return branding;
}
