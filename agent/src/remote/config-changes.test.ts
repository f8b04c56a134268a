import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/load.js";
import { fixedSectionChanges } from "./config-changes.js";

const config = (extra: string) =>
  parseConfig(`gateway: plant-7\n${extra}`, "/etc/tidegate/agent.yaml").config;

describe("which config changes a running agent takes", () => {
  it("takes Sparkplug sources and the Sparkplug edge node it publishes as, but not the buffer", () => {
    const running = config("");
    const sources = config(
      'sparkplugSources:\n  - { groupId: line-2, broker: { url: "mqtt://uns:1883" } }\n',
    );
    expect(fixedSectionChanges(running, sources)).toEqual([]);
    const north = config('sparkplug:\n  groupId: plant\n  broker: { url: "mqtt://uns:1883" }\n');
    expect(fixedSectionChanges(running, north)).toEqual([]);
    expect(fixedSectionChanges(running, config("buffer: { path: other.db }\n"))).toEqual(["buffer"]);
    // Each parse loads every bundled profile: seconds on a busy machine.
  }, 30_000);
});
