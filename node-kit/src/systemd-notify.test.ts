import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSystemdNotifier, spawnSystemdNotify, watchdogIntervalMs } from "./systemd-notify.js";

describe("watchdogIntervalMs", () => {
  it("is half of WATCHDOG_USEC, in milliseconds", () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: "30000000" }, 1)).toBe(15_000);
  });

  it("is off without a watchdog, with a bad value, or when the watchdog is another process's", () => {
    expect(watchdogIntervalMs({}, 1)).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: "soon" }, 1)).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: "0" }, 1)).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: "30000000", WATCHDOG_PID: "7" }, 1)).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: "30000000", WATCHDOG_PID: "7" }, 7)).toBe(15_000);
  });
});

describe("createSystemdNotifier", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("does nothing outside systemd (no NOTIFY_SOCKET)", () => {
    const sent: string[][] = [];
    const n = createSystemdNotifier({ env: { WATCHDOG_USEC: "1000" }, send: (f) => sent.push(f) });
    n.ready("up");
    n.status("busy");
    vi.advanceTimersByTime(10_000);
    n.stopping();
    expect(n.enabled).toBe(false);
    expect(sent).toEqual([]);
  });

  it("sends READY=1 with the status, then only changed statuses", () => {
    const sent: string[][] = [];
    const n = createSystemdNotifier({ env: { NOTIFY_SOCKET: "/run/x" }, send: (f) => sent.push(f) });
    n.ready("listening on :8080");
    n.status("listening on :8080");
    n.status("consuming telemetry");
    expect(sent).toEqual([["READY=1", "STATUS=listening on :8080"], ["STATUS=consuming telemetry"]]);
  });

  it("pings the watchdog every half period with the status when it changed, until stopping", () => {
    const sent: string[][] = [];
    let status = "connecting";
    const n = createSystemdNotifier({
      env: { NOTIFY_SOCKET: "/run/x", WATCHDOG_USEC: "30000000" },
      send: (f) => sent.push(f),
      status: () => status,
    });
    n.ready();
    vi.advanceTimersByTime(15_000);
    status = "connected";
    vi.advanceTimersByTime(15_000);
    expect(sent).toEqual([
      ["READY=1", "STATUS=connecting"],
      ["WATCHDOG=1"],
      ["WATCHDOG=1", "STATUS=connected"],
    ]);
    n.stopping();
    vi.advanceTimersByTime(60_000);
    expect(sent.slice(3)).toEqual([["STOPPING=1", "STATUS=stopping"]]);
  });

  it("does not ping when systemd set no watchdog", () => {
    const sent: string[][] = [];
    const n = createSystemdNotifier({ env: { NOTIFY_SOCKET: "/run/x" }, send: (f) => sent.push(f) });
    vi.advanceTimersByTime(600_000);
    n.ready("up");
    expect(sent).toEqual([["READY=1", "STATUS=up"]]);
  });
});

describe("spawnSystemdNotify", () => {
  it("says once, with what to install, when systemd-notify is missing", async () => {
    const errors: string[] = [];
    const send = spawnSystemdNotify({ PATH: "/nonexistent", NOTIFY_SOCKET: "/run/x" }, (m) => errors.push(m));
    send(["READY=1"]);
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    send(["WATCHDOG=1"]);
    await new Promise((r) => setTimeout(r, 50));
    expect(errors).toEqual([expect.stringMatching(/ENOENT.*install the systemd package/)]);
  });
});
