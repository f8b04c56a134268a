import { loadProfiles } from "@tidegate/profiles";
import { describe, expect, it } from "vitest";
import { checkProfile } from "./check.js";

describe("checkProfile on the bundled library", () => {
  for (const profile of loadProfiles().values()) {
    it(`${profile.id}: every testdata value decodes as stated`, () => {
      const result = checkProfile(profile);
      expect(result.failures).toEqual([]);
      expect(result.compared).toBeGreaterThan(0);
    });
  }
});
