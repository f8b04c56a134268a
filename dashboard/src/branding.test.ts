import { describe, expect, it } from "vitest";
import { brandingVariables, DEFAULT_BRANDING, pageTitle } from "./branding.js";

describe("branding", () => {
  it("maps the primary colour to links, buttons and focus, the accent to the brand stripe", () => {
    expect(
      brandingVariables({ productName: "Acme", colors: { primary: "#7a1f5c", accent: "#f2a900" } }),
    ).toEqual({
      "--accent": "#7a1f5c",
      "--focus": "#7a1f5c",
      "--brand-accent": "#f2a900",
    });
  });

  it("sets nothing without colours, and ignores what is not a hex colour", () => {
    expect(brandingVariables(DEFAULT_BRANDING)).toEqual({});
    expect(
      brandingVariables({ productName: "x", colors: { primary: "red;}body{", accent: "#abc" } }),
    ).toEqual({
      "--brand-accent": "#abc",
    });
  });

  it("titles pages after the product", () => {
    expect(pageTitle(DEFAULT_BRANDING)).toBe("Tidegate");
    expect(pageTitle({ productName: "Acme Edge" }, "plant-7")).toBe("plant-7 · Acme Edge");
  });
});
