import { describe, expect, it } from "vitest";
import { answerTimeoutMs, parseSetting, serialSettings, settingLabel, unitIdOrder } from "./plan.js";

describe("serial scan plan", () => {
  it("tries every baud rate × 8N1/8E1/8O1/8N2, the profiles' defaults first", () => {
    const settings = serialSettings({ profileBauds: [19200, 9600, 19200] });
    expect(settings).toHaveLength(32);
    expect(settings.slice(0, 5).map(settingLabel)).toEqual([
      "19200 8N1",
      "19200 8E1",
      "19200 8O1",
      "19200 8N2",
      "9600 8N1",
    ]);
    expect(settings.at(-1)).toMatchObject({ baudRate: 1200, parity: "none", stopBits: 2 });
  });

  it("with no profile defaults starts at 9600 and can be narrowed", () => {
    expect(settingLabel(serialSettings({ profileBauds: [] })[0] as never)).toBe("9600 8N1");
    const narrowed = serialSettings({ profileBauds: [], bauds: [9600], framings: ["8E1"] });
    expect(narrowed.map(settingLabel)).toEqual(["9600 8E1"]);
  });

  it("tries unit ids 1..247 once each, the profiles' defaults first", () => {
    const ids = unitIdOrder([2, 1, 2]);
    expect(ids.slice(0, 3)).toEqual([2, 1, 3]);
    expect(ids).toHaveLength(247);
    expect(new Set(ids).size).toBe(247);
    expect(unitIdOrder([], { from: 5, to: 7 })).toEqual([5, 6, 7]);
  });

  it("reads settings as technicians write them", () => {
    expect(parseSetting("9600 8E1")).toEqual({ baudRate: 9600, parity: "even", dataBits: 8, stopBits: 1 });
    expect(parseSetting("19200 8n2")).toMatchObject({ parity: "none", stopBits: 2 });
    expect(parseSetting("9600 7E1")).toBeUndefined();
  });

  it("waits longer for an answer on a slower line", () => {
    expect(answerTimeoutMs(1200)).toBeGreaterThan(answerTimeoutMs(9600));
    expect(answerTimeoutMs(115200)).toBeGreaterThanOrEqual(60);
  });
});
