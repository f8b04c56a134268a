import { describe, expect, it } from "vitest";
import { deferredCleanup } from "./helpers/cleanup.js";
import { startDialCounter } from "./helpers/dial-counter.js";
import { startNatsServer } from "./helpers/nats.js";
import { freePort } from "./helpers/ports.js";
import { meterAgentConfig, startMeter } from "./helpers/system.js";
import { startAgent } from "./helpers/tidegate.js";
import { getJson, waitFor } from "./helpers/wait.js";

// A fleet that comes back after an outage must not hammer NATS in lockstep. The agent's dials are
// counted at the server's address while its meter is polled every 100 ms and committed every
// 50 ms: a dial may follow the previous one only after the backoff delay the agent logged for it,
// however many readings were committed meanwhile (they used to wake the connect loop).

const defer = deferredCleanup();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface LogLine {
  msg?: string;
  time?: number;
  delayMs?: number;
  nextDelayMs?: number;
  holdMs?: number;
}

function logLines(output: string): LogLine[] {
  return output
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => {
      try {
        return JSON.parse(l) as LogLine;
      } catch {
        return {};
      }
    });
}

/** Every gap between two dials is at least the delay the agent chose after the first of them. */
function expectPacedBy(dials: number[], delays: number[], context: () => string) {
  expect(dials.length, `dials at the server\n${context()}`).toBeGreaterThanOrEqual(2);
  // One dial per step: never more dials than steps the agent took (+1 for the last, still pending).
  expect(
    dials.length,
    `dials ${dials.length} vs backoff steps ${delays.length}\n${context()}`,
  ).toBeLessThanOrEqual(delays.length + 1);
  for (let i = 1; i < dials.length; i++) {
    const gap = (dials[i] as number) - (dials[i - 1] as number);
    // Timers never fire early by more than a few ms; a woken sleep would show as a short gap.
    expect(gap, `gap before dial ${i + 1}, delays ${delays.join(",")}\n${context()}`).toBeGreaterThanOrEqual(
      (delays[i - 1] as number) - 25,
    );
  }
}

/**
 * The NATS client's reconnects log their step just before they dial (the first after a loss
 * `holdMs` before it), and some dials (the first, before the stand-in listens) are never counted:
 * each counted dial is matched to the step logged right before it, and the gap to the next
 * counted dial is at least that step's delay.
 */
function expectReconnectsPaced(
  dials: number[],
  steps: { time: number; delay: number }[],
  context: () => string,
) {
  expect(dials.length, `dials at the server\n${context()}`).toBeGreaterThanOrEqual(2);
  let previous = -1;
  const matched = dials.map((d, i) => {
    // One dial per step: each counted dial takes the first step after the previous dial's that was
    // logged just before it (a step whose dial was not counted is passed over). Not simply the
    // latest step before it: a held dial fails at once and the next step is logged ms later, and
    // the counter, in this busy test process, may date the held dial after that next line.
    const k = steps.findIndex((s, j) => j > previous && s.time <= d + 5 && d - s.time < 200);
    expect(k, `dial ${i + 1} at ${d} has a logged step of its own before it\n${context()}`).toBeGreaterThan(
      -1,
    );
    previous = k;
    return steps[k] as { time: number; delay: number };
  });
  for (let i = 1; i < dials.length; i++) {
    const gap = (dials[i] as number) - (dials[i - 1] as number);
    const step = matched[i - 1] as { delay: number };
    expect(gap, `gap before dial ${i + 1}\n${context()}`).toBeGreaterThanOrEqual(step.delay - 25);
  }
}

describe("reconnect discipline", () => {
  it("dials NATS once per backoff step during an outage, at start and after a disconnect", async () => {
    const port = await freePort();
    const meter = await startMeter(5);
    defer(() => meter.close());
    let counter = await startDialCounter(port);
    defer(() => counter.close());
    const agent = await startAgent(
      meterAgentConfig({
        gateway: "reconnect-plant",
        natsUrl: `nats://127.0.0.1:${port}`,
        meterPort: meter.port,
        pollIntervalMs: 100,
      }),
    );
    defer(() => agent.stop());
    const context = () => agent.output().slice(-3000);

    // An agent started into an outage.
    await sleep(10_000);
    const status = await getJson<{ seq: { committed: number } }>(`${agent.url}/api/v1/status`);
    expect(status.seq.committed, "the meter was polled and committed meanwhile").toBeGreaterThan(100);
    const startDelays = logLines(agent.output())
      .filter((l) => l.msg?.startsWith("cannot connect") && typeof l.delayMs === "number")
      .map((l) => l.delayMs as number);
    expectPacedBy([...counter.dials], startDelays, context);
    // Before the fix a 10 s outage gave dozens of dials; a backoff from 250 ms gives a handful.
    expect(counter.dials.length).toBeLessThan(12);

    // NATS comes up on that address: the agent connects and sends.
    await counter.close();
    const nats = await startNatsServer({ port });
    defer(() => nats.dispose());
    const uplink = async () =>
      (await getJson<{ uplink: { connected: boolean } }>(`${agent.url}/api/v1/status`)).uplink;
    await waitFor(
      () => `agent connected\n${context()}`,
      async () => (await uplink()).connected,
      45_000,
    );

    // The server goes away again while its address still answers: the NATS client's own reconnects.
    const before = logLines(agent.output()).length;
    await nats.stop();
    counter = await startDialCounter(port);
    await sleep(10_000);
    const steps = logLines(agent.output())
      .slice(before)
      .filter((l) => l.msg === "reconnecting to NATS" && typeof l.nextDelayMs === "number")
      // A held dial goes out holdMs after its line.
      .map((l) => ({ time: (l.time as number) + (l.holdMs ?? 0), delay: l.nextDelayMs as number }));
    expectReconnectsPaced([...counter.dials], steps, context);
    expect(counter.dials.length).toBeLessThan(12);

    // And it comes back once the server does.
    await counter.close();
    await nats.start();
    await waitFor(
      () => `agent reconnected\n${context()}`,
      async () => (await uplink()).connected,
      45_000,
    );
  }, 120_000);
});
