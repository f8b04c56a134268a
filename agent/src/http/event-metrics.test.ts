import { describe, expect, it } from "vitest";
import { createEventMetrics } from "./event-metrics.js";

/** The value of the sample of `name` whose labels include every one of `labels`. */
function sample(text: string, name: string, labels: string[]): string | undefined {
  const line = text
    .split("\n")
    .find((l) => l.startsWith(`${name}{`) && labels.every((label) => l.includes(label)));
  return line?.split(" ").at(-1);
}

describe("the agent's event metrics", () => {
  it("counts each device's reads by outcome, with the gateway label", async () => {
    const m = createEventMetrics("gw-1");
    m.observeRead("meter-1", 0.02, true);
    m.observeRead("meter-1", 0.03, true);
    m.observeRead("meter-1", 1.5, false);
    m.observeRead("meter-2", 0.004, true);
    const text = await m.registry.metrics();
    const count = (device: string, outcome: string) =>
      sample(text, "tidegate_device_read_seconds_count", [
        `device="${device}"`,
        `outcome="${outcome}"`,
        'gateway="gw-1"',
      ]);
    expect([count("meter-1", "ok"), count("meter-1", "failed"), count("meter-2", "ok")]).toEqual([
      "2",
      "1",
      "1",
    ]);
    expect(sample(text, "tidegate_device_read_seconds_bucket", ['le="0.005"', 'device="meter-2"'])).toBe("1");
    expect(sample(text, "tidegate_device_read_seconds_bucket", ['le="0.005"', 'device="meter-1"'])).toBe("0");
  });
});
