import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { damagedText, hostileText, mutated, oddValue } from "../../test/helpers/fuzz.js";
import { type AlertEventWire, decodeAlertEvent, encodeAlertEvent } from "./alert.js";
import { type Batch, decodeBatch, encodeBatch } from "./batch.js";
import { type CollectorWire, decodeCollectorWire, encodeCollectorWire } from "./collector-wire.js";
import { decodeHeartbeat, encodeHeartbeat, type Heartbeat } from "./heartbeat.js";
import type { SequencedReading } from "./reading.js";
import { COMMAND_VERBS, commandRequestSchema, encodeCommandRequest, parseCommandArgs } from "./remote.js";
import { parseWire, WireError } from "./wire-error.js";

const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
const gateway = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
const value = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => n + 0), // JSON has no -0
  fc.boolean(),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.constant(null),
);

/** Readings as a buffer commits them: contiguous seqs, any timestamps, any value kind. */
const readings = fc
  .tuple(
    fc.integer({ min: 1, max: 2 ** 40 }),
    fc.array(
      fc.record({
        ts: fc.integer({ min: 0, max: 2 ** 45 }),
        device: id,
        point: id,
        value,
        quality: fc.constantFrom("good" as const, "bad" as const, "uncertain" as const),
        reason: fc.option(fc.string({ minLength: 1, maxLength: 30 }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 40 },
    ),
  )
  .map(([first, rows]) =>
    rows.map(
      ({ reason, ...r }, i): SequencedReading => ({ ...r, seq: first + i, ...(reason ? { reason } : {}) }),
    ),
  );

const sample = {
  alert: {
    v: 1,
    gateway: "plant-1",
    rule: "hv",
    device: "m1",
    point: "voltage",
    severity: "critical",
    state: "raised",
    at: 1_700_000_000_000,
    value: 251.5,
    message: "voltage above 250",
  } satisfies AlertEventWire,
  heartbeat: {
    v: 1,
    gateway: "plant-1",
    version: "1.0.0",
    ts: 1_700_000_000_000,
    uptimeS: 12.5,
    backlog: 3,
    oldestUnsentAgeMs: 800,
    lastSeq: 99,
    epoch: 2,
    ackedSeq: 96,
    dropped: { "buffer-full": 1 },
    droppedRanges: [[4, 5]],
    uplinkConnected: true,
    alarms: [{ code: "buffer-write-failed", message: "disk full", since: 1 }],
    sources: [{ device: "m1", status: "ok", successRate: 1, errors: { timeout: 2 }, lastLatencyMs: 12 }],
    activeAlerts: [{ rule: "hv", device: "m1", severity: "warning", since: 5, message: "high" }],
  } satisfies Heartbeat,
  collectorWire: { v: 1, min: 1, max: 2, collectorVersion: "1.0.0", at: 1 } satisfies CollectorWire,
};

const text = new TextDecoder();
/** Garbage, near-misses and damaged copies of a valid message, as bytes off the wire. */
function wireInput(valid: Uint8Array): fc.Arbitrary<Uint8Array | string> {
  const json = JSON.parse(text.decode(valid)) as unknown;
  return fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    hostileText(),
    oddValue().map((v) => JSON.stringify(v) ?? "undefined"),
    mutated(json).map((v) => JSON.stringify(v) ?? ""),
    damagedText(text.decode(valid)),
  );
}

/** Decodes, or says why not with a WireError: never another exception, never a value that does not re-encode. */
function decodesOrExplains<T>(
  decode: (d: Uint8Array | string) => T,
  input: Uint8Array | string,
): T | undefined {
  try {
    return decode(input);
  } catch (err) {
    expect(err).toBeInstanceOf(WireError);
    expect((err as Error).message.length).toBeGreaterThan(0);
    return undefined;
  }
}

const sameBatch = (b: Batch) => {
  // Whatever was accepted must survive being sent on: the collector forwards and stores it.
  expect(b.readings.every((r) => Number.isSafeInteger(r.ts) && r.ts >= 0)).toBe(true);
  const again = decodeBatch(encodeBatch(b.gateway, b.readings, b.epoch));
  expect(again.readings).toEqual(b.readings);
  expect(again.epoch).toBe(b.epoch);
};

// Generous: the runs are bounded, but a busy CI machine may be slow.
describe("wire decoders (fuzzed)", { timeout: 30_000 }, () => {
  it("decodeBatch∘encodeBatch is the identity for any valid batch, in both wire versions", () => {
    fc.assert(
      fc.property(gateway, readings, fc.nat({ max: 2 ** 31 }), fc.boolean(), (gw, rs, epoch, v1) => {
        const decoded = decodeBatch(v1 ? encodeBatch(gw, rs, 0, 1) : encodeBatch(gw, rs, epoch));
        expect(decoded).toEqual({
          gateway: gw,
          epoch: v1 ? 0 : epoch,
          firstSeq: rs[0]?.seq,
          lastSeq: rs.at(-1)?.seq,
          readings: rs,
          wireVersion: v1 ? 1 : 2,
        });
      }),
      { numRuns: 300 },
    );
  });

  it("decodeBatch answers garbage and damaged batches with a WireError, and what it accepts re-encodes", () => {
    const valid = encodeBatch(
      "plant-1",
      [
        { seq: 7, ts: 1_700_000_000_000, device: "m1", point: "v", value: 230.5, quality: "good" },
        { seq: 8, ts: 1_700_000_000_500, device: "m1", point: "ok", value: true, quality: "good" },
        {
          seq: 9,
          ts: 1_700_000_001_000,
          device: "m2",
          point: "v",
          value: null,
          quality: "bad",
          reason: "timeout",
        },
      ],
      3,
    );
    fc.assert(
      fc.property(
        fc.oneof(
          wireInput(valid),
          wireInput(
            encodeBatch(
              "p",
              [{ seq: 1, ts: 5, device: "d", point: "p", value: "x", quality: "uncertain" }],
              0,
              1,
            ),
          ),
        ),
        (input) => {
          const b = decodesOrExplains(decodeBatch, input);
          if (b) sameBatch(b);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("decodeBatch turns any version 2 time differences into real timestamps or a WireError", () => {
    const wire = fc.array(fc.maxSafeInteger(), { minLength: 1, maxLength: 8 }).map((t) => ({
      v: 2,
      gw: "p",
      ep: 0,
      first: 1,
      last: t.length,
      series: [["d", "p"]],
      s: t.map(() => 0),
      t,
      val: t.map(() => 1),
      q: t.map(() => 0),
    }));
    fc.assert(
      fc.property(wire, (w) => {
        const b = decodesOrExplains(decodeBatch, JSON.stringify(w));
        if (b) sameBatch(b);
      }),
      { numRuns: 300 },
    );
  });

  it("alert events, heartbeats and collector announcements decode or say why", () => {
    const cases = [
      { decode: decodeAlertEvent, valid: encodeAlertEvent(sample.alert), encode: encodeAlertEvent },
      { decode: decodeHeartbeat, valid: encodeHeartbeat(sample.heartbeat), encode: encodeHeartbeat },
      {
        decode: decodeCollectorWire,
        valid: encodeCollectorWire(sample.collectorWire),
        encode: encodeCollectorWire,
      },
    ] as const;
    for (const c of cases) {
      fc.assert(
        fc.property(wireInput(c.valid), (input) => {
          const decoded = decodesOrExplains(c.decode as (d: Uint8Array | string) => unknown, input);
          if (decoded !== undefined)
            expect(c.decode((c.encode as (v: unknown) => Uint8Array)(decoded))).toEqual(decoded);
        }),
        { numRuns: 200 },
      );
    }
  });

  it("command requests and arguments are checked without throwing", () => {
    const args = fc.oneof(
      oddValue(),
      mutated({ device: "m1", point: "setpoint", value: 21.5 }),
      mutated({ config: "version: 1\n", timeoutMs: 5000 }),
      mutated({ version: 2, timeoutMs: 5000 }),
      mutated({ lines: 50 }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...COMMAND_VERBS), args, (verb, a) => {
        const parsed = parseCommandArgs(verb, a);
        if (!parsed.ok) expect(parsed.error).toMatch(new RegExp(`^${verb.replace(".", "\\.")}: .+`));
        const input = encodeCommandRequest({ actor: "fuzz", args: a });
        const request = decodesOrExplains(
          (d) => parseWire(commandRequestSchema, d, "command request"),
          input,
        );
        if (request) expect(request.actor).toBe("fuzz");
      }),
      { numRuns: 400 },
    );
  });
});
