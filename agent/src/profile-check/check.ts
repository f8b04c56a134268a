import { type AnyProfile, opcuaReadingValue } from "@tidegate/profiles";
import { lineToReadings } from "../sources/line/parse.js";
import { decodePoint } from "../sources/modbus/decode.js";
import { compileTopic, extract } from "../sources/mqtt/topics.js";

/** One testdata entry that did not decode to what the profile says. */
export interface TestdataFailure {
  /** Index in the profile's `testdata`. */
  index: number;
  point: string;
  expected: unknown;
  got: unknown;
}

export interface ProfileCheck {
  /** Expected values compared (a Modbus entry is one, a message or line one per value). */
  compared: number;
  failures: TestdataFailure[];
}

const same = (got: unknown, want: unknown) =>
  typeof got === "number" && typeof want === "number"
    ? Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want))
    : got === want;

/**
 * Runs a profile's testdata through the agent's own decoders (the ones that read the device), so a
 * profile is checked against the manual's examples before it meets a device.
 */
export function checkProfile(profile: AnyProfile): ProfileCheck {
  const failures: TestdataFailure[] = [];
  let compared = 0;
  const compare = (index: number, point: string, expected: unknown, got: unknown) => {
    compared += 1;
    if (!same(got, expected)) failures.push({ index, point, expected, got });
  };
  if (profile.kind === "modbus") {
    profile.testdata.forEach((t, i) => {
      const point = profile.points.find((p) => p.id === t.point);
      let got: unknown;
      try {
        got = point ? decodePoint(point, t.raw) : "no such point";
      } catch (err) {
        got = `error: ${(err as Error).message}`;
      }
      compare(i, t.point, t.value, got);
    });
  } else if (profile.kind === "mqtt") {
    profile.testdata.forEach((t, i) => {
      for (const [id, want] of Object.entries(t.values)) {
        const point = profile.points.find((p) => p.id === id && compileTopic(p.topic).match(t.topic));
        const got = point ? extract(Buffer.from(t.payload), point) : undefined;
        compare(
          i,
          id,
          want,
          got === undefined
            ? `no point '${id}' on ${t.topic}`
            : "value" in got
              ? got.value
              : `dropped: ${got.reason}`,
        );
      }
    });
  } else if (profile.kind === "opcua") {
    profile.testdata.forEach((t, i) => {
      const point = profile.points.find((p) => p.id === t.point);
      const got = point ? opcuaReadingValue(point, t.variant) : { error: "no such point" };
      compare(i, t.point, t.value, "value" in got ? got.value : `error: ${got.error}`);
    });
  } else {
    profile.testdata.forEach((t, i) => {
      const result = lineToReadings(profile, profile.points, t.line, { device: "check", ts: 0 });
      const readings = "readings" in result ? result.readings : [];
      for (const [id, want] of Object.entries(t.values)) {
        const r = readings.find((x) => x.point === id);
        if (want === null) compare(i, id, "bad", r?.quality);
        else compare(i, id, want, r ? r.value : "no reading");
      }
    });
  }
  return { compared, failures };
}
