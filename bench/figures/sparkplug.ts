import { type AnyProfile, loadProfiles } from "@tidegate/profiles";
import type { Reading } from "@tidegate/protocol";
import { connectAsync } from "mqtt";
import pino from "pino";
import { sparkplugNorthSchema } from "../../agent/src/sparkplug/north/config.js";
import { type NorthDevice, startSparkplugNorth } from "../../agent/src/sparkplug/north/edge-node.js";
import { decodeIndependently } from "../../test/e2e/helpers/sparkplug.js";
import { waitFor } from "../../test/e2e/helpers/wait.js";
import { startMosquitto } from "../../test/helpers/mosquitto.js";
import { scoped } from "../lib/cleanup.js";
import { type Emit, perSecond } from "../lib/figure.js";

const DEVICES = 50;
const POINTS = 10;
const ROUNDS = 400;
const CHUNK = 10;

/** Bytes of an MQTT 3.1.1 PUBLISH at QoS 0: fixed header, remaining length, topic, payload. */
function publishBytes(topic: string, payload: number): number {
  const remaining = 2 + Buffer.byteLength(topic) + payload;
  const lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4;
  return 1 + lengthBytes + remaining;
}

/**
 * sparkplug.north_readings_per_s and sparkplug.north_bytes_per_reading: the agent's Sparkplug B
 * edge node (agent/src/sparkplug/north) publishing DDATA to mosquitto, 50 devices of 10 points
 * each polled together, every value changed (so report by exception sends all of them); a host in
 * the same process subscribes and decodes each payload with protobufjs. Polls go out 10 at a time
 * (500 messages), the next only once the host has all of them.
 */
export async function sparkplugFigures(emit: Emit): Promise<void> {
  const broker = await startMosquitto();
  await scoped(
    broker,
    () => broker.dispose(),
    async () => {
      const host = await connectAsync(broker.url, { reconnectPeriod: 0 });
      let metrics = 0;
      let wireBytes = 0;
      host.on("message", (topic, payload) => {
        const m = decodeIndependently(topic, payload);
        if (m.type !== "DDATA") return;
        metrics += m.metrics.length;
        wireBytes += publishBytes(topic, payload.byteLength);
      });
      await host.subscribeAsync("spBv1.0/bench/#", { qos: 0 });
      const sdm120 = loadProfiles().get("eastron/sdm120") as AnyProfile;
      const profile = { ...sdm120, points: sdm120.points.slice(0, POINTS) } as AnyProfile;
      const devices: NorthDevice[] = Array.from({ length: DEVICES }, (_, i) => ({
        id: `meter-${i}`,
        profile,
        health: { status: "ok" },
      }));
      const north = await startSparkplugNorth({
        config: sparkplugNorthSchema.parse({
          groupId: "bench",
          edgeNodeId: "gw",
          broker: { url: broker.url },
        }),
        gateway: "gw",
        devices: () => devices,
        log: pino({ level: "silent" }),
      });
      try {
        await north.ready;
        const round = (r: number): Reading[] =>
          devices.flatMap((d) =>
            profile.points.map((p, j) => ({
              ts: 1_700_000_000_000 + r * 1000,
              device: d.id,
              point: p.id,
              value: 200 + r + j / 10,
              quality: "good" as const,
            })),
          );
        // The first round births every device; what follows is DDATA.
        north.onReadings(round(0));
        await waitFor("the births", () => north.status().messages >= DEVICES + 1, 30_000);
        const t0 = performance.now();
        const total = ROUNDS * DEVICES * POINTS;
        // QoS 0, as Sparkplug sends DATA: mosquitto drops what a slow subscriber has not taken past
        // 1,000 queued messages, so the polls go in steps of CHUNK and the host catches up between.
        for (let r = 1; r <= ROUNDS; r += CHUNK) {
          for (let k = r; k < r + CHUNK; k++) north.onReadings(round(k));
          const due = (r + CHUNK - 1) * DEVICES * POINTS;
          await waitFor(
            () => `${due} metrics at the host (${metrics})`,
            () => metrics >= due,
            30_000,
            5,
          );
        }
        await waitFor(
          () =>
            `${total} metrics at the host (${metrics} so far; edge node ${JSON.stringify(north.status())})`,
          () => metrics >= total,
          30_000,
          20,
        );
        const ms = performance.now() - t0;
        emit({
          name: "sparkplug.north_readings_per_s",
          value: perSecond(total, ms),
          unit: "readings/s",
          note: `${total.toLocaleString("en-US")} readings (${DEVICES} devices × ${POINTS} points × ${ROUNDS} polls, every value changed) from onReadings to a host's decode, through mosquitto; agent side, broker and host share this machine`,
        });
        emit({
          name: "sparkplug.north_bytes_per_reading",
          value: Math.round((wireBytes / total) * 10) / 10,
          unit: "B",
          note: `MQTT PUBLISH bytes of the DDATA (fixed header, topic, protobuf payload) per reading, ${POINTS} metrics per message, by alias with a timestamp each`,
        });
      } finally {
        await north.stop();
        await host.endAsync(true);
      }
    },
  );
}
