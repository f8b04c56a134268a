import { describe, expect, it, vi } from "vitest";
import { de, en, pickLanguage } from "./i18n.js";

/** Every key path of a catalog, nested objects included ("severity.info"), sorted. */
function keyPaths(value: object, prefix = ""): string[] {
  return Object.entries(value)
    .flatMap(([key, v]) =>
      v !== null && typeof v === "object" ? keyPaths(v, `${prefix}${key}.`) : [`${prefix}${key}`],
    )
    .sort();
}

describe("pickLanguage", () => {
  it("picks German for German browsers, whatever the region", () => {
    expect(pickLanguage(["de-AT", "en"])).toBe("de");
    for (const tag of ["de", "de-DE", "de-AT", "de-CH", "DE-ch"]) expect(pickLanguage([tag])).toBe("de");
  });

  it("takes the first supported language in preference order", () => {
    expect(pickLanguage(["fr-FR", "de-DE", "en"])).toBe("de");
    expect(pickLanguage(["en-GB", "de-DE"])).toBe("en");
  });

  it("falls back to English", () => {
    expect(pickLanguage(["fr-FR"])).toBe("en");
    expect(pickLanguage([])).toBe("en");
  });
});

describe("German catalog", () => {
  it("has exactly the keys of the English one, nested objects included", () => {
    expect(keyPaths(de)).toEqual(keyPaths(en));
    expect(keyPaths(de.severity)).toEqual(["critical", "info", "warning"]);
    expect(Object.keys(de.rangeLabel).sort()).toEqual(Object.keys(en.rangeLabel).sort());
  });

  it("gives every message the same kind of value and functions the same parameters", () => {
    for (const [key, value] of Object.entries(en)) {
      const german: unknown = (de as unknown as Record<string, unknown>)[key];
      expect(typeof german, key).toBe(typeof value);
      if (typeof value === "function") expect((german as () => string).length, key).toBe(value.length);
    }
  });

  it("distinguishes singular and plural", () => {
    expect(de.alertsTitle(1)).toBe("1 aktiver Alarm");
    expect(de.alertsTitle(3)).toBe("3 aktive Alarme");
    expect(de.readings("1")).toBe("1 Messwert");
    expect(de.readings("5")).toBe("5 Messwerte");
    expect(de.offlineOf(1)).toBe("von 1 Gateway offline");
    expect(de.offlineOf(5)).toBe("von 5 Gateways offline");
    expect(de.missing("1")).toBe("1 fehlt");
    expect(de.missing("4")).toBe("4 fehlen");
  });

  it("keeps units and numbers as the English messages format them", () => {
    expect(de.minutesAgo(12)).toBe("vor 12 min");
    expect(de.durationHours(3, 5)).toBe("3 h 5 min");
    expect(de.durationDays(2, 0)).toBe("2 d");
    expect(de.bytes("1.5", "KB")).toBe("1.5 KB");
    expect(de.dropCount("12", de.dropReason["buffer-full"])).toBe("12 verworfen, Puffer voll");
    expect(de.severity).toEqual({ info: "Info", warning: "Warnung", critical: "Kritisch" });
  });
});

describe("active language", () => {
  it("ignores Node's own navigator (Node 21+), so tests stay English on a German machine", async () => {
    vi.stubGlobal("navigator", { language: "de-DE", languages: ["de-DE"] });
    vi.resetModules();
    try {
      const fresh = await import("./i18n.js");
      expect(fresh.lang).toBe("en");
      expect(fresh.t.alertsTitle(3)).toBe("3 active alerts");
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });

  it("follows the browser's preferred languages", async () => {
    vi.stubGlobal("document", {});
    vi.stubGlobal("navigator", { language: "de-CH", languages: ["de-CH", "en"] });
    vi.resetModules();
    try {
      const fresh = await import("./i18n.js");
      expect(fresh.lang).toBe("de");
      expect(fresh.t).toBe(fresh.de);
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });
});

describe("language switch", () => {
  it("swaps every message and the number format at once; unknown codes change nothing", async () => {
    vi.resetModules();
    try {
      const i18n = await import("./i18n.js");
      const format = await import("./format.js");
      i18n.setLanguage("de");
      expect(i18n.lang).toBe("de");
      expect(i18n.t.chartRange).toBe("Zeitraum");
      expect(format.formatNumber(1.5)).toBe("1,5");
      i18n.setLanguage("xx");
      expect(i18n.lang).toBe("de");
      i18n.setLanguage("en");
      expect(i18n.t.zoomReset).toBe("Reset zoom");
      expect(format.formatNumber(1.5)).toBe("1.5");
    } finally {
      vi.resetModules();
    }
  });
});
