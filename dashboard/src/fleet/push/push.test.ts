import { describe, expect, it } from "vitest";
import { pushMessages } from "../../i18n/push.js";
import { devicesOf, pushTargets, sendPush } from "./push.js";

describe("device push helpers", () => {
  it("offers every other gateway the filter matches", () => {
    const gws = [
      { id: "plant-1", online: true },
      { id: "plant-2", online: false },
      { id: "depot-1", online: true },
    ];
    expect(pushTargets(gws, "plant-1", "").map((g) => g.id)).toEqual(["plant-2", "depot-1"]);
    expect(pushTargets(gws, "plant-1", " Plant ").map((g) => g.id)).toEqual(["plant-2"]);
    expect(devicesOf([{ device: "m1" }, { device: "m2" }, { device: "m1" }])).toEqual(["m1", "m2"]);
  });

  it("returns the per-gateway results, or throws the collector's words", async () => {
    const answer = {
      from: { gateway: "a", device: "m" },
      results: [{ gateway: "b", outcome: "applied", version: 2 }],
    };
    const ok = async () => new Response(JSON.stringify(answer), { status: 200 });
    expect(await sendPush({ from: { gateway: "a", device: "m" }, to: ["b"] }, ok)).toEqual(answer);
    const refused = async () =>
      new Response(JSON.stringify({ error: "the device could not be read from a" }), { status: 409 });
    await expect(sendPush({ from: { gateway: "a", device: "m" }, to: ["b"] }, refused)).rejects.toThrow(
      "the device could not be read from a",
    );
  });

  it("has every word in German too", () => {
    expect(Object.keys(pushMessages.de).sort()).toEqual(Object.keys(pushMessages.en).sort());
    expect(Object.keys(pushMessages.de.outcome).sort()).toEqual(Object.keys(pushMessages.en.outcome).sort());
  });
});
