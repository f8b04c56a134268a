import { describe, expect, it } from "vitest";
import {
  describeError,
  formatAge,
  formatBytes,
  formatCount,
  formatDuration,
  formatNumber,
  formatPercent,
  formatRate,
  formatValue,
} from "./format.js";

describe("formatNumber / formatValue", () => {
  it("keeps at most 3 decimals and no grouping", () => {
    expect(formatNumber(230.5)).toBe("230.5");
    expect(formatNumber(1 / 3)).toBe("0.333");
    expect(formatNumber(2.0004)).toBe("2");
    expect(formatNumber(12345.6789)).toBe("12345.679");
    expect(formatNumber(-0.0001)).toBe("-0.0001");
    expect(formatNumber(-0.0004)).toBe("-0.0004");
    expect(formatNumber(0)).toBe("0");
    expect(formatNumber(-0)).toBe("0");
  });

  it("keeps tiny values visible instead of rounding them to 0", () => {
    expect(formatNumber(0.000123456)).toBe("0.000123");
    expect(formatNumber(1.5e-9)).toBe("1.5e-9");
  });

  it("handles odd numbers", () => {
    expect(formatNumber(Number.NaN)).toBe("—");
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe("∞");
    expect(formatNumber(1e20)).toBe("1.000e+20");
  });

  it("adds the unit to numbers only", () => {
    expect(formatValue(230.456789, "V")).toBe("230.5 V");
    expect(formatValue(21, "°C")).toBe("21 °C");
    expect(formatValue(42)).toBe("42");
    expect(formatValue(true, "V")).toBe("on");
    expect(formatValue(false)).toBe("off");
    expect(formatValue("AB-12", "V")).toBe("AB-12");
    expect(formatValue(null, "V")).toBe("—");
    expect(formatValue(undefined)).toBe("—");
  });
});

describe("formatValue at the point's resolution", () => {
  it("shows the digits the profile's scale or decimals gives, trailing zeros included", () => {
    expect(formatValue(230.1, "V", 1)).toBe("230.1 V");
    expect(formatValue(230, "V", 1)).toBe("230.0 V");
    expect(formatValue(49.987, "Hz", 2)).toBe("49.99 Hz");
    expect(formatValue(17, "", 0)).toBe("17");
    expect(formatValue(-0.04, "°C", 1)).toBe("0.0 °C");
  });

  it("rounds a float of unknown resolution to about four significant digits", () => {
    expect(formatValue(3177.69, "W")).toBe("3177.7 W");
    expect(formatValue(90.325, "%")).toBe("90.33 %");
    expect(formatValue(45.466, "%")).toBe("45.47 %");
    expect(formatValue(0.25, "A")).toBe("0.25 A");
    expect(formatValue(0.000123456, "A")).toBe("0.000123 A");
  });
});

describe("formatAge", () => {
  const now = 1_700_000_000_000;
  it("says how long ago", () => {
    expect(formatAge(now - 3_400, now)).toBe("3 s ago");
    expect(formatAge(now - 59_999, now)).toBe("59 s ago");
    expect(formatAge(now - 60_000, now)).toBe("1 min ago");
    expect(formatAge(now - 2 * 3_600_000 - 5, now)).toBe("2 h ago");
    expect(formatAge(now - 3 * 86_400_000, now)).toBe("3 d ago");
  });

  it("handles now, the future (clock skew) and never", () => {
    expect(formatAge(now - 200, now)).toBe("just now");
    expect(formatAge(now + 5_000, now)).toBe("just now");
    expect(formatAge(null, now)).toBe("never");
    expect(formatAge(undefined, now)).toBe("never");
  });
});

describe("formatDuration", () => {
  it("uses the two largest units", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(45_900)).toBe("45 s");
    expect(formatDuration(12 * 60_000 + 30_000)).toBe("12 min");
    expect(formatDuration(3 * 3_600_000)).toBe("3 h");
    expect(formatDuration(3 * 3_600_000 + 5 * 60_000)).toBe("3 h 5 min");
    expect(formatDuration(2 * 86_400_000 + 4 * 3_600_000)).toBe("2 d 4 h");
    expect(formatDuration(-5)).toBe("0 s");
  });
});

describe("formatBytes", () => {
  it("uses 1024-based units", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(35.2 * 1024)).toBe("35 KB");
    expect(formatBytes(20 * 1024 * 1024)).toBe("20 MB");
    expect(formatBytes(5 * 1024 ** 4)).toBe("5120 GB");
  });
});

describe("formatPercent", () => {
  it("shows one decimal only when it matters", () => {
    expect(formatPercent(1)).toBe("100");
    expect(formatPercent(0)).toBe("0");
    expect(formatPercent(0.995)).toBe("99.5");
    expect(formatPercent(0.99996)).toBe("100");
    expect(formatPercent(0.5)).toBe("50");
    expect(formatPercent(Number.NaN)).toBe("—");
  });
});

describe("describeError", () => {
  it("explains the agent's Modbus errors", () => {
    expect(describeError("timeout after 1000 ms")).toMatch(/No answer within 1000 ms/);
    expect(describeError("exception 2 (illegal data address)")).toBe(
      "The device rejected the request: illegal data address (Modbus exception 2).",
    );
    expect(describeError("connection error ECONNREFUSED")).toMatch(/Connection refused/);
    expect(describeError("connection error EHOSTUNREACH")).toMatch(/unreachable/);
    expect(describeError("connection error EWEIRD")).toBe("Connection problem (EWEIRD).");
  });

  it("passes unknown text through", () => {
    expect(describeError("disconnected from NATS; reconnecting")).toBe(
      "disconnected from NATS; reconnecting",
    );
  });
});

describe("formatCount / formatRate", () => {
  it("groups counts and drops fractions", () => {
    expect(formatCount(0)).toBe("0");
    expect(formatCount(12345)).toBe("12,345");
    expect(formatCount(2.6)).toBe("3");
    expect(formatCount(Number.NaN)).toBe("—");
  });

  it("keeps one decimal for slow rates only", () => {
    expect(formatRate(2.46)).toBe("2.5");
    expect(formatRate(0.04)).toBe("0");
    expect(formatRate(9.94)).toBe("9.9");
    expect(formatRate(1250.4)).toBe("1,250");
    expect(formatRate(Number.POSITIVE_INFINITY)).toBe("—");
  });
});
