import { describe, expect, it } from "vitest";
import { createLiveFeed } from "../live.js";
import { liveRoutes } from "./live-route.js";

/** The route module alone: its guard lets everyone in (the app test proves the role). */
const anyone = () => async (_c: unknown, next: () => Promise<void>) => next();

async function nextEvent(reader: ReadableStreamDefaultReader<Uint8Array>, buffer: { text: string }) {
  for (;;) {
    const end = buffer.text.indexOf("\n\n");
    if (end >= 0) {
      const raw = buffer.text.slice(0, end);
      buffer.text = buffer.text.slice(end + 2);
      if (raw.startsWith(":")) continue; // keep-alive comment
      const event = /^event: (.*)$/m.exec(raw)?.[1];
      const data = /^data: (.*)$/m.exec(raw)?.[1] ?? "";
      return { event, data: JSON.parse(data) };
    }
    const { value, done } = await reader.read();
    if (done) throw new Error("stream ended");
    buffer.text += new TextDecoder().decode(value);
  }
}

describe("GET /api/v1/live", () => {
  it("pushes committed readings of the chosen series, and nothing else", async () => {
    const live = createLiveFeed();
    const app = liveRoutes(anyone, live, { keepAliveMs: 50 });
    const res = await app.request("/api/v1/live?series=plant-1/m1/voltage");
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const buffer = { text: "" };
    expect(await nextEvent(reader, buffer)).toEqual({
      event: "ready",
      data: { series: ["plant-1/m1/voltage"] },
    });
    live.publish([
      {
        gateway: "plant-1",
        epoch: 1,
        firstSeq: 1,
        lastSeq: 3,
        readings: [
          { seq: 1, ts: 1000, device: "m1", point: "current", value: 5, quality: "good" },
          { seq: 2, ts: 1000, device: "m1", point: "voltage", value: 230.5, quality: "good" },
          {
            seq: 3,
            ts: 2000,
            device: "m1",
            point: "voltage",
            value: null,
            quality: "bad",
            reason: "timeout",
          },
        ],
      },
    ]);
    expect(await nextEvent(reader, buffer)).toEqual({
      event: "reading",
      data: { gateway: "plant-1", device: "m1", point: "voltage", ts: 1000, value: 230.5 },
    });
    expect((await nextEvent(reader, buffer)).data).toMatchObject({ ts: 2000, value: null });
    expect(live.subscribers()).toBe(1);
    await reader.cancel();
    await new Promise((r) => setTimeout(r, 100));
    expect(live.subscribers()).toBe(0);
  });

  it("answers 400 naming the parameter", async () => {
    const app = liveRoutes(anyone, createLiveFeed());
    const res = await app.request("/api/v1/live?series=nope");
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/^series: expected "gateway\/device\/point"/);
    expect((await (await app.request("/api/v1/live")).json()).error).toMatch(/name at least one series/);
  });
});
