import { loadProfiles, type Profile } from "@tidegate/profiles";
import { describe, expect, it } from "vitest";
import { type ProfileReading, scoreProfile, totalWeight } from "./rank.js";

const profiles = loadProfiles();
const sdm120 = profiles.get("eastron/sdm120") as Profile;
const sunspec = profiles.get("sunspec/inverter-103") as Profile;
const identify = {
  name: "model code",
  register: { table: "holding", address: 9, type: "uint16", order: "ABCD" },
  equals: 32,
} as const;

const reading = (values: Record<string, number>, extra: Partial<ProfileReading> = {}): ProfileReading => ({
  identify: [],
  points: sdm120.points.filter((p) => p.id in values).map((point) => ({ point, value: values[point.id] })),
  failedBlocks: 0,
  ...extra,
});

describe("scoreProfile", () => {
  it("weighs a matching identify register far above plausible values, and a mismatch against", () => {
    const match = scoreProfile(sdm120, {}, reading({}, { identify: [{ spec: identify, value: 32 }] }));
    const miss = scoreProfile(sdm120, {}, reading({}, { identify: [{ spec: identify, value: 112 }] }));
    expect(totalWeight(match)).toBe(10);
    expect(match[0]?.text).toBe("model code = 32, as the manual says");
    expect(totalWeight(miss)).toBe(-10);
    expect(miss[0]?.text).toMatch(/the manual says 32/);
  });

  it("counts values within min/max for, and values outside or not numbers against", () => {
    const point = { ...(sdm120.points[0] as Profile["points"][number]), min: 100, max: 300 };
    const at = (value: number): ProfileReading => ({
      identify: [],
      points: [{ point, value }],
      failedBlocks: 0,
    });
    expect(totalWeight(scoreProfile(sdm120, {}, at(230)))).toBe(1);
    // Unused registers read zero on many devices: a zero in range is no evidence for the profile.
    const zero = { ...point, min: 0 };
    const zeroReading: ProfileReading = {
      identify: [],
      points: [{ point: zero, value: 0 }],
      failedBlocks: 0,
    };
    expect(totalWeight(scoreProfile(sdm120, {}, zeroReading))).toBe(0);
    expect(scoreProfile(sdm120, {}, zeroReading).map((e) => e.text)).toContain(
      "1 read as 0 (no evidence either way)",
    );
    expect(totalWeight(scoreProfile(sdm120, {}, at(4e9)))).toBe(-2);
    expect(totalWeight(scoreProfile(sdm120, {}, at(Number.NaN)))).toBe(-2);
    expect(totalWeight(scoreProfile(sdm120, {}, reading({}, { failedBlocks: 2 })))).toBe(-2);
  });

  it("takes SunSpec's marker for SunSpec profiles, and FC 43/14's vendor for the profile's vendor", () => {
    expect(
      totalWeight(
        scoreProfile(sunspec, { sunspecBase: 40000 }, { identify: [], points: [], failedBlocks: 0 }),
      ),
    ).toBe(8);
    expect(totalWeight(scoreProfile(sunspec, {}, { identify: [], points: [], failedBlocks: 0 }))).toBe(-4);
    expect(totalWeight(scoreProfile(sdm120, { sunspecBase: 40000 }, reading({})))).toBe(-2);
    expect(totalWeight(scoreProfile(sdm120, { deviceId: { vendor: "EASTRON Ltd" } }, reading({})))).toBe(6);
  });

  it("counts the models after SunSpec's common one: found for the profile, all missing against it", () => {
    const meter = profiles.get("sunspec/meter") as Profile;
    const on = (found: number[], missing: number[]): ProfileReading => ({
      identify: [],
      points: [],
      failedBlocks: 0,
      sunspecModels: { found, missing },
    });
    expect(totalWeight(scoreProfile(meter, { sunspecBase: 0 }, on([203], [201, 202, 204])))).toBe(12);
    const none = scoreProfile(meter, { sunspecBase: 0 }, on([], [201, 202, 203, 204]));
    expect(totalWeight(none)).toBe(2);
    expect(none.map((e) => e.text)).toContain("the device's chain has none of models 201, 202, 203, 204");
  });
});
