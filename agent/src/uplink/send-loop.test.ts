import pino from "pino";
import { describe, expect, it } from "vitest";
import { useTempBuffer } from "../../../test/helpers/temp-buffer.js";
import { createWaker } from "../wake.js";
import { createSendLoop, type EncodedRange, type SendPort } from "./send-loop.js";

const log = pino({ level: "silent" });
const temp = useTempBuffer("send-loop");
const add = temp.add;

/**
 * A JetStream stand-in: records each publish and answers it when the test says (or at once with
 * `auto`), so the loop's window and order can be watched.
 */
function fakePort(o: { auto?: (r: EncodedRange, n: number) => Error | undefined } = {}) {
  const published: EncodedRange[] = [];
  const open: { range: EncodedRange; answer: (e?: Error) => void }[] = [];
  let link = true;
  let mismatch: string | undefined;
  let most = 0;
  const port: SendPort = {
    connected: () => link,
    mismatch: () => mismatch,
    publish(range) {
      published.push(range);
      if (o.auto) return Promise.resolve(o.auto(range, published.length));
      return new Promise((resolve) => {
        open.push({ range, answer: resolve });
        most = Math.max(most, open.length);
      });
    },
  };
  return {
    port,
    published,
    open,
    mostInFlight: () => most,
    setLink(up: boolean) {
      link = up;
    },
    setMismatch(m: string | undefined) {
      mismatch = m;
    },
  };
}

const until = async (what: string, ok: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

function startLoop(port: SendPort, o: { maxInFlight?: number; batchSize?: number } = {}) {
  const waker = createWaker();
  const sender = createSendLoop({
    gateway: "plant-1",
    buffer: temp.buffer(),
    batchSize: o.batchSize ?? 10,
    lingerMs: 0,
    maxInFlight: o.maxInFlight ?? 8,
    wireVersion: 2,
    waker,
    log,
  });
  let running = true;
  const done = sender.run(port, () => running);
  const unsubscribe = temp.buffer().onCommit(() => waker.wake());
  return {
    sender,
    wake: () => waker.wake(),
    async stop() {
      running = false;
      unsubscribe();
      waker.wake();
      await done;
    },
  };
}

describe("the uplink's send loop", () => {
  it("sends the buffer in contiguous ranges, one id each, and prunes a range only after its ack", async () => {
    const fake = fakePort();
    add(25);
    const loop = startLoop(fake.port);
    await until("three publishes", () => fake.published.length === 3);
    expect(fake.published.map((r) => [r.first, r.last])).toEqual([
      [1, 10],
      [11, 20],
      [21, 25],
    ]);
    expect(fake.published.map((r) => r.msgId)).toEqual(
      expect.arrayContaining([expect.stringContaining("1"), expect.stringContaining("21")]),
    );
    expect(new Set(fake.published.map((r) => r.msgId)).size).toBe(3);
    expect(temp.buffer().stats().backlog).toBe(25);
    // Acks taken in publish order: the second answered first is applied after the first.
    fake.open[1]?.answer();
    await new Promise((r) => setTimeout(r, 20));
    expect(temp.buffer().stats().lastAckedSeq).toBe(0);
    fake.open[0]?.answer();
    fake.open[2]?.answer();
    await until("all acked", () => temp.buffer().stats().lastAckedSeq === 25);
    expect(temp.buffer().stats().backlog).toBe(0);
    expect(loop.sender.state.batchesSent).toBe(3);
    await loop.stop();
  });

  it("never has more publishes in flight than its window", async () => {
    const fake = fakePort();
    add(100);
    const loop = startLoop(fake.port, { maxInFlight: 3 });
    await until("a full window", () => fake.open.length === 3);
    await new Promise((r) => setTimeout(r, 30));
    expect(fake.published.length).toBe(3);
    while (temp.buffer().stats().lastAckedSeq < 100) {
      await until("a publish to answer", () => fake.open.length > 0);
      fake.open.shift()?.answer();
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(fake.mostInFlight()).toBe(3);
    expect(fake.published.length).toBe(10);
    await loop.stop();
  });

  it("retries a failed range with exactly its first boundaries and bytes, though the ranges after it were acked meanwhile", async () => {
    const failOnce = new Set<number>([1]);
    const fake = fakePort({
      auto: (r, n) => (failOnce.has(n) ? new Error(`timeout on ${r.first}`) : undefined),
    });
    add(15);
    const loop = startLoop(fake.port);
    await until("drained", () => temp.buffer().stats().lastAckedSeq === 15, 10_000);
    const first = fake.published.filter((r) => r.first === 1);
    expect(first.length).toBe(2);
    expect(first[1]?.last).toBe(first[0]?.last);
    expect(first[1]?.msgId).toBe(first[0]?.msgId);
    expect(Buffer.from(first[1]?.data ?? []).equals(Buffer.from(first[0]?.data ?? []))).toBe(true);
    expect(loop.sender.state.lastError).toBeUndefined();
    await loop.stop();
  });

  it("holds while the collector cannot read its wire, and sends once it can", async () => {
    const fake = fakePort({ auto: () => undefined });
    fake.setMismatch("the collector reads batch wire version 1; this agent sends version 2");
    add(5);
    const loop = startLoop(fake.port);
    await until("held", () => loop.sender.state.heldSince !== undefined);
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.published).toEqual([]);
    fake.setMismatch(undefined);
    loop.wake();
    await until("sent", () => temp.buffer().stats().lastAckedSeq === 5, 5000);
    expect(loop.sender.state.heldSince).toBeUndefined();
    await loop.stop();
  });

  it("publishes nothing while the link is down, and goes on when it is back", async () => {
    const fake = fakePort({ auto: () => undefined });
    fake.setLink(false);
    add(5);
    const loop = startLoop(fake.port);
    await new Promise((r) => setTimeout(r, 50));
    add(3); // new readings wake the loop; the link is still down
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.published).toEqual([]);
    fake.setLink(true);
    loop.wake();
    await until("sent", () => temp.buffer().stats().lastAckedSeq === 8, 5000);
    await loop.stop();
  });
});
