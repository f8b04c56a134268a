import { loadProfiles, type MqttPoint, type MqttProfile } from "@tidegate/profiles";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { damagedText, hostileText, mutated, oddValue } from "../../../../test/helpers/fuzz.js";
import {
  compileTopic,
  convert,
  dropReasons,
  type Extracted,
  extract,
  filterMatches,
  walkPath,
} from "./topics.js";

const mqttProfiles = [...loadProfiles().values()].filter((p): p is MqttProfile => p.kind === "mqtt");
const realPoints = mqttProfiles.flatMap((p) => p.points);

type PointShape = Pick<MqttPoint, "json" | "type" | "scale" | "offset">;
const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
/** Points as a profile may declare them: any type, path, and finite scale and offset. */
const anyPoint: fc.Arbitrary<PointShape> = fc.record({
  json: fc.option(
    fc
      .array(
        fc.oneof(
          fc.constantFrom("ENERGY", "Power", "0", "1", "__proto__", "constructor", "length"),
          fc.string({ minLength: 1, maxLength: 5 }),
        ),
        { minLength: 1, maxLength: 4 },
      )
      .map((s) => s.join(".")),
    { nil: undefined },
  ),
  type: fc.constantFrom("number" as const, "bool" as const, "string" as const),
  scale: fc.oneof(finite, fc.constantFrom(1, 0.1, 1000, -1)),
  offset: fc.oneof(finite, fc.constantFrom(0, -40, 273.15)),
});

/** A value of the point's type, or a reason from the known set: a good reading is never NaN or infinite. */
function valueOrReason(got: Extracted, point: PointShape): void {
  if ("reason" in got) {
    expect(dropReasons).toContain(got.reason);
    return;
  }
  const kind = { number: "number", bool: "boolean", string: "string" }[point.type];
  expect(typeof got.value).toBe(kind);
  if (typeof got.value === "number") expect(Number.isFinite(got.value)).toBe(true);
}

const testPayloads = mqttProfiles.flatMap((p) => p.testdata.map((t) => t.payload));
/** Payload bytes: garbage, JSON of any shape, and damaged copies of what real devices send. */
const payload = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.uint8Array({ minLength: 64 * 1024 - 2, maxLength: 64 * 1024 + 2 }),
  hostileText().map((t) => Buffer.from(t)),
  oddValue().map((v) => Buffer.from(JSON.stringify(v) ?? "")),
  fc.constantFrom(...testPayloads).chain((t) =>
    fc
      .oneof(
        damagedText(t),
        (() => {
          try {
            return mutated(JSON.parse(t)).map((v) => JSON.stringify(v) ?? "");
          } catch {
            return fc.constant(t); // a plain (non-JSON) payload
          }
        })(),
      )
      .map((s) => Buffer.from(s)),
  ),
  fc
    .constantFrom("1e308", "-1e308", "1.7976931348623157e308", '{"ENERGY":{"Power":1e308}}')
    .map((s) => Buffer.from(s)),
);

// Generous: the runs are bounded, but a busy CI machine may be slow.
describe("MQTT payload mapper (fuzzed)", { timeout: 30_000 }, () => {
  it("maps any payload for any point to a value of its type or a known drop reason", () => {
    fc.assert(
      fc.property(payload, anyPoint, (bytes, point) => valueOrReason(extract(bytes, point), point)),
      { numRuns: 400 },
    );
  });

  it("maps any payload for the bundled profiles' points the same way", () => {
    fc.assert(
      fc.property(payload, fc.constantFrom(...realPoints), (bytes, point) =>
        valueOrReason(extract(bytes, point), point),
      ),
      { numRuns: 300 },
    );
  });

  it("convert never reports a non-finite number, whatever the scale and offset", () => {
    fc.assert(
      fc.property(oddValue(), anyPoint, (raw, point) => valueOrReason(convert(raw, point), point)),
      { numRuns: 400 },
    );
  });

  it("walkPath reads only own keys and array indexes", () => {
    const odd = fc.oneof(
      fc.constantFrom("__proto__", "constructor", "toString", "length", "01", "-1", "1e3"),
      fc.string({ maxLength: 4 }),
    );
    // Mostly keys the value has (so paths are found), now and then one it has not.
    const steps = fc.array(fc.oneof(fc.nat(), odd), { minLength: 1, maxLength: 4 });
    const rootAndPath = fc.tuple(oddValue(), steps).map(([root, picks]) => {
      let cur: unknown = root;
      const segments = picks.map((pick) => {
        const keys = cur !== null && typeof cur === "object" ? Object.keys(cur) : [];
        const key =
          typeof pick === "number" && keys.length > 0 ? (keys[pick % keys.length] as string) : String(pick);
        cur = (cur as Record<string, unknown> | null)?.[key];
        return key;
      });
      return [root, segments] as const;
    });
    fc.assert(
      fc.property(rootAndPath, ([root, segments]) => {
        const at = walkPath(root, segments.join("."));
        if (!at.found) return;
        // Walking by hand with array indexes and own keys only must reach the same value.
        let cur: unknown = root;
        for (const s of segments.join(".").split(".")) {
          const key = Array.isArray(cur) && /^\d+$/.test(s) ? Number(s) : s;
          expect(cur !== null && typeof cur === "object" && Object.hasOwn(cur, key)).toBe(true);
          cur = (cur as Record<string | number, unknown>)[key];
        }
        expect(at.value).toBe(cur);
      }),
      { numRuns: 300 },
    );
  });

  it("topic matching never throws on any topic", () => {
    const topic = fc.oneof(
      hostileText(),
      fc
        .array(fc.constantFrom("a", "+", "#", "$SYS", "", "{device}", "tele"), { maxLength: 6 })
        .map((l) => l.join("/")),
    );
    const patterns = [...new Set(realPoints.map((p) => p.topic))].map((t) => compileTopic(t));
    fc.assert(
      fc.property(topic, topic, (filter, t) => {
        for (const c of patterns) {
          const m = c.match(t);
          if (m) expect(filterMatches(c.filter, t)).toBe(true);
        }
        expect(typeof filterMatches(filter, t)).toBe("boolean");
      }),
      { numRuns: 300 },
    );
  });
});
