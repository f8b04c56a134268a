import { loadProfiles, type MqttProfile, parseProfile } from "@tidegate/profiles";
import { describe, expect, it } from "vitest";
import { compileTopic, extract } from "./topics.js";

const mqttProfiles = [...loadProfiles().values()].filter((p): p is MqttProfile => p.kind === "mqtt");

/** What the source would make of one message: point id -> value, for the points whose topic matches. */
function decode(profile: MqttProfile, topic: string, payload: string) {
  const out: Record<string, unknown> = {};
  for (const point of profile.points) {
    if (!compileTopic(point.topic).match(topic)) continue;
    const got = extract(Buffer.from(payload), point);
    out[point.id] = "value" in got ? got.value : `dropped: ${got.reason}`;
  }
  return out;
}

describe("bundled MQTT profiles", () => {
  it("include the Tasmota plug and the Shelly H&T", () => {
    expect(mqttProfiles.map((p) => p.id).sort()).toEqual(
      expect.arrayContaining(["shelly/ht-gen1", "tasmota/energy-plug"]),
    );
  });

  for (const profile of mqttProfiles) {
    describe(profile.id, () => {
      it("has at least three testdata messages and a public source", () => {
        expect(profile.testdata.length).toBeGreaterThanOrEqual(3);
        expect(profile.source.url).toMatch(/^https:\/\//);
      });

      it.each(profile.testdata.map((t, i) => [i, t] as const))(
        "testdata %i decodes to the stated values",
        (_, t) => {
          const got = decode(profile, t.topic, t.payload);
          for (const [point, want] of Object.entries(t.values)) {
            if (typeof want === "number") expect(got[point], point).toBeCloseTo(want, 9);
            else expect(got[point], point).toEqual(want);
          }
        },
      );

      it("names every point in some testdata", () => {
        const covered = new Set(profile.testdata.flatMap((t) => Object.keys(t.values)));
        expect(profile.points.map((p) => p.id).filter((id) => !covered.has(id))).toEqual([]);
      });
    });
  }
});

describe("MQTT profile validation", () => {
  const base = `
id: acme/x
kind: mqtt
vendor: Acme
model: X
source: { title: t, url: "https://example.com/x" }
`;
  it("rejects a topic pattern the agent could not subscribe to", () => {
    const bad = `${base}points:\n  - { id: p, name: P, topic: "a/pre{device}/b" }\n`;
    expect(() => parseProfile(bad, "acme/x.yaml")).toThrow(/points\.0\.topic: 'pre\{device\}'/);
  });
  it("rejects testdata naming an unknown point, or a wildcard topic", () => {
    const bad = `${base}points:\n  - { id: p, name: P, topic: "a/{device}" }\ntestdata:\n  - { topic: "a/+", payload: "1", values: { q: 1 } }\n`;
    expect(() => parseProfile(bad, "acme/x.yaml")).toThrow(/testdata\.0\.topic: a concrete topic/);
    expect(() => parseProfile(bad, "acme/x.yaml")).toThrow(/testdata\.0\.values\.q: no point 'q'/);
  });
  it("rejects duplicate point ids and empty json path segments", () => {
    const bad = `${base}points:\n  - { id: p, name: P, topic: "a/{device}", json: "a..b" }\n  - { id: p, name: P, topic: "b/{device}" }\n`;
    expect(() => parseProfile(bad, "acme/x.yaml")).toThrow(/points\.0\.json: empty segment/);
    expect(() => parseProfile(bad, "acme/x.yaml")).toThrow(/points\.1\.id: duplicate point id 'p'/);
  });
});
