import { describe, expect, it } from "vitest";
import { pickStartLanguage, pickTheme } from "./prefs.js";

describe("theme choice", () => {
  it("keeps a stored choice over the OS preference", () => {
    expect(pickTheme("dark", false)).toBe("dark");
    expect(pickTheme("light", true)).toBe("light");
  });

  it("starts light unless the OS asks for dark, ignoring junk in storage", () => {
    expect(pickTheme(null, false)).toBe("light");
    expect(pickTheme(null, true)).toBe("dark");
    expect(pickTheme("neon", true)).toBe("dark");
  });
});

describe("language choice", () => {
  it("keeps a stored language that has a catalog, else follows the browser", () => {
    expect(pickStartLanguage("de", ["en-US"])).toBe("de");
    expect(pickStartLanguage("fr", ["de-AT"])).toBe("de");
    expect(pickStartLanguage(null, ["fr-FR"])).toBe("en");
  });
});
