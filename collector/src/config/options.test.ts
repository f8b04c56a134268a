import { describe, expect, it } from "vitest";
import { OptionsError, parseCollectorOptions } from "./options.js";

describe("--clock-jump-ms", () => {
  it("defaults to 2 s, reads TIDEGATE_CLOCK_JUMP_MS, and the flag wins", () => {
    expect(parseCollectorOptions({}, {}).clockJumpMs).toBe(2000);
    expect(parseCollectorOptions({}, { TIDEGATE_CLOCK_JUMP_MS: "5000" }).clockJumpMs).toBe(5000);
    expect(
      parseCollectorOptions({ "clock-jump-ms": "750" }, { TIDEGATE_CLOCK_JUMP_MS: "5000" }).clockJumpMs,
    ).toBe(750);
  });

  it("refuses a value that is not a positive whole number of milliseconds, naming the flag", () => {
    expect(() => parseCollectorOptions({ "clock-jump-ms": "soon" }, {})).toThrow(OptionsError);
    expect(() => parseCollectorOptions({ "clock-jump-ms": "0" }, {})).toThrow(/--clock-jump-ms: /);
  });
});

describe("--ack-wait-s", () => {
  it("defaults to JetStream's 30 s, reads TIDEGATE_ACK_WAIT_S, and the flag wins", () => {
    expect(parseCollectorOptions({}, {}).ackWaitS).toBe(30);
    expect(parseCollectorOptions({}, { TIDEGATE_ACK_WAIT_S: "5" }).ackWaitS).toBe(5);
    expect(parseCollectorOptions({ "ack-wait-s": "10" }, { TIDEGATE_ACK_WAIT_S: "5" }).ackWaitS).toBe(10);
  });

  it("refuses a wait too short for a commit to finish in, naming the flag", () => {
    expect(() => parseCollectorOptions({ "ack-wait-s": "1" }, {})).toThrow(/--ack-wait-s: /);
    expect(() => parseCollectorOptions({ "ack-wait-s": "soon" }, {})).toThrow(OptionsError);
  });
});
