import { describe, expect, it } from "vitest";
import { deviceIdSchema, pointIdSchema, ruleIdSchema } from "./reading.js";

describe("ids", () => {
  it("device, point and rule ids share one safe alphabet: letters, digits, '_' and '-'", () => {
    for (const schema of [deviceIdSchema, pointIdSchema, ruleIdSchema]) {
      expect(schema.safeParse("Pump-1_a").success).toBe(true);
      for (const bad of ["", "a.b", "a/b", "a b", "a>b", "ä"]) {
        const parsed = schema.safeParse(bad);
        expect(parsed.success, bad).toBe(false);
        expect(parsed.error?.issues[0]?.message).toBe("use letters, digits, '_' and '-' only");
      }
    }
  });
});
