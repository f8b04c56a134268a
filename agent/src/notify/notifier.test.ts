import pino from "pino";
import { describe, expect, it } from "vitest";
import type { NotifyEvent } from "./event.js";
import { createNotifier, type Deliverer, permanent } from "./notifier.js";

const log = pino({ level: "silent" });
const fast = { initialMs: 1, maxMs: 4 };

function ev(rule: string, severity: NotifyEvent["severity"] = "warning"): NotifyEvent {
  return {
    gateway: "gw",
    rule,
    device: "d",
    point: "p",
    severity,
    state: "raised",
    at: 1,
    value: 1,
    message: "m",
  };
}

/** A target whose send fails with the given errors first, then succeeds; it records what it got. */
function scripted(failures: Error[], wantsAll = true): Deliverer & { got: string[]; tries: number } {
  const t = {
    name: "t",
    type: "webhook" as const,
    got: [] as string[],
    tries: 0,
    wants: (e: NotifyEvent) => wantsAll || e.severity === "critical",
    async send(e: NotifyEvent) {
      t.tries += 1;
      const err = failures.shift();
      if (err) throw err;
      t.got.push(e.rule);
    },
  };
  return t;
}

async function settled(n: ReturnType<typeof createNotifier>) {
  for (let i = 0; i < 200; i++) {
    const s = n.status()[0];
    if (s && s.queued === 0 && Object.values(s.counts).reduce((a, b) => a + b, 0) > s.counts.retried) {
      await new Promise((r) => setTimeout(r, 20));
      if (n.status()[0]?.queued === 0) return;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("notifier", () => {
  it("retries a failing delivery with backoff and counts the retries", async () => {
    const target = scripted([new Error("HTTP 503"), new Error("HTTP 503")]);
    const n = createNotifier({ targets: [target], log, backoff: fast });
    n.notify([ev("a")]);
    await settled(n);
    expect(target.got).toEqual(["a"]);
    const s = n.status()[0];
    expect(s?.counts).toEqual({ delivered: 1, retried: 2, failed: 0, dropped: 0 });
    expect(s?.lastError?.message).toBe("HTTP 503");
    n.stop();
  });

  it("gives up after maxAttempts and goes on with the next event, in order", async () => {
    const target = scripted([1, 2, 3].map(() => new Error("down")));
    const n = createNotifier({ targets: [target], log, backoff: fast, maxAttempts: 3 });
    n.notify([ev("a"), ev("b")]);
    await settled(n);
    expect(target.got).toEqual(["b"]);
    expect(n.status()[0]?.counts).toEqual({ delivered: 1, retried: 2, failed: 1, dropped: 0 });
    n.stop();
  });

  it("does not retry a permanent error", async () => {
    const target = scripted([permanent("HTTP 401")]);
    const n = createNotifier({ targets: [target], log, backoff: fast });
    n.notify([ev("a")]);
    await settled(n);
    expect(target.tries).toBe(1);
    expect(n.status()[0]?.counts).toMatchObject({ delivered: 0, retried: 0, failed: 1 });
    n.stop();
  });

  it("keeps at most maxQueue events waiting, dropping and counting the oldest", async () => {
    const target = scripted([]);
    const n = createNotifier({ targets: [target], log, backoff: fast, maxQueue: 2 });
    // The first event is in flight at once; of the four queued behind it, the newest two stay.
    n.notify([ev("a")]);
    n.notify(["b", "c", "d", "e"].map((r) => ev(r)));
    await settled(n);
    expect(target.got).toEqual(["a", "d", "e"]);
    expect(n.status()[0]?.counts).toMatchObject({ delivered: 3, dropped: 2 });
    n.stop();
  });

  it("sends a target only the events it wants", async () => {
    const target = scripted([], false);
    const n = createNotifier({ targets: [target], log, backoff: fast });
    n.notify([ev("w", "warning"), ev("c", "critical")]);
    await settled(n);
    expect(target.got).toEqual(["c"]);
    n.stop();
  });

  it("stop() ends a pending retry wait and sends nothing more", async () => {
    const target = scripted([new Error("down")]);
    const n = createNotifier({ targets: [target], log, backoff: { initialMs: 60_000, maxMs: 60_000 } });
    n.notify([ev("a")]);
    await new Promise((r) => setTimeout(r, 20));
    n.stop();
    n.notify([ev("b")]);
    await new Promise((r) => setTimeout(r, 20));
    expect(target.got).toEqual([]);
    expect(n.status()[0]?.counts).toMatchObject({ delivered: 0, failed: 1 });
  });
});
