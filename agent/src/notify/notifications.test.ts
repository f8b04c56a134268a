import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { loadProfiles } from "@tidegate/profiles";
import mqtt, { type MqttClient } from "mqtt";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../../test/e2e/helpers/ports.js";
import { waitFor } from "../../../test/e2e/helpers/wait.js";
import { openAlertsStore } from "../rules/alerts-store.js";
import { createRuleEngine } from "../rules/engine.js";
import { ruleSchema } from "../rules/schema.js";
import { createSources } from "../sources/index.js";
import { mqttConfigSchema } from "../sources/mqtt/config.js";
import type { NotifyEvent } from "./event.js";
import { startAlertNotifications } from "./index.js";
import { notifyTargetSchema } from "./schema.js";

const log = pino({ level: "silent" });

/**
 * The whole path over real sockets: a sensor publishes on the embedded MQTT broker, the MQTT
 * source turns it into readings, the rules raise and clear an alert, an operator acknowledges it,
 * and every event reaches a real HTTP server (which fails twice first) and an MQTT subscriber.
 */
describe("alert notifications to a webhook and the embedded broker", { timeout: 30_000 }, () => {
  const hooks: { path: string; headers: IncomingHttpHeaders; body: NotifyEvent }[] = [];
  let answered = 0;
  let server: Server;
  const heard: { topic: string; body: NotifyEvent }[] = [];
  let sensor: MqttClient;
  let watcher: MqttClient;
  let stop: () => Promise<void>;
  let acknowledge: (rule: string, device: string, by: string) => boolean;
  let status: () => ReturnType<ReturnType<typeof startAlertNotifications>["status"]>;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        answered += 1;
        // The receiver is down for the first two requests.
        if (answered <= 2) return void res.writeHead(503).end("try later");
        hooks.push({
          path: req.url ?? "",
          headers: req.headers,
          body: JSON.parse(Buffer.concat(chunks).toString()),
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const port = await freePort();

    const sources = createSources(
      {
        devices: [],
        mqtt: mqttConfigSchema.parse({
          broker: {
            embedded: {
              host: "127.0.0.1",
              port,
              users: [
                { username: "ht", password: "ht-pw", publish: ["shellies/#"] },
                { username: "ops", password: "ops-pw", subscribe: ["tidegate/#"] },
              ],
            },
          },
          devices: [{ profile: "shelly/ht-gen1" }],
        }),
      },
      loadProfiles(),
      (readings) => alerts.record(rules.onReadings(readings)),
      log,
    );
    const alerts = openAlertsStore(":memory:");
    const rules = createRuleEngine(
      [
        ruleSchema.parse({
          id: "hot",
          type: "threshold",
          point: "temperature",
          above: 30,
          severity: "warning",
        }),
      ],
      Date.now(),
    );
    const notifier = startAlertNotifications({
      gateway: "gw-n",
      targets: notifyTargetSchema.array().parse([
        { type: "webhook", url: hookUrl, headers: { Authorization: { env: "HOOK_TOKEN" } } },
        { type: "mqtt", topic: "tidegate/{gateway}/alerts/{rule}/{device}/{state}", minSeverity: "warning" },
        // Hears nothing: the rule's alerts are warnings.
        { type: "webhook", url: `${hookUrl}-critical`, minSeverity: "critical", timeoutMs: 1000 },
      ]),
      store: alerts,
      publish: sources.mqttPublish,
      log,
      env: { HOOK_TOKEN: "Bearer s3cret" },
      backoff: { initialMs: 50, maxMs: 200 },
    });
    acknowledge = alerts.acknowledge;
    status = notifier.status;
    await sources.start();

    const url = `mqtt://127.0.0.1:${port}`;
    watcher = await mqtt.connectAsync(url, { username: "ops", password: "ops-pw", reconnectPeriod: 0 });
    watcher.on("message", (topic, payload) => heard.push({ topic, body: JSON.parse(payload.toString()) }));
    await watcher.subscribeAsync("tidegate/#", { qos: 1 });
    sensor = await mqtt.connectAsync(url, { username: "ht", password: "ht-pw", reconnectPeriod: 0 });

    stop = async () => {
      notifier.stop();
      await sensor.endAsync();
      await watcher.endAsync();
      await sources.stop();
      alerts.close();
      await new Promise((resolve) => server.close(resolve));
    };
  });
  afterAll(async () => stop?.());

  it("delivers raise, acknowledgement and clear, retrying the failing webhook", async () => {
    const device = "shellyht-AAA111";
    await sensor.publishAsync(`shellies/${device}/sensor/temperature`, "35.5");
    await waitFor(
      () =>
        `the raise at both targets (webhook ${hooks.length}, mqtt ${heard.length}, ${JSON.stringify(status())})`,
      () => hooks.length === 1 && heard.length === 1,
    );
    expect(acknowledge("hot", device, "alice")).toBe(true);
    await sensor.publishAsync(`shellies/${device}/sensor/temperature`, "21");
    await waitFor(
      () =>
        `three events at both targets (webhook ${hooks.length}, mqtt ${heard.length}, ${JSON.stringify(status())})`,
      () => hooks.length === 3 && heard.length === 3,
    );

    expect(hooks.map((h) => h.body.state)).toEqual(["raised", "acked", "cleared"]);
    expect(hooks[0]?.body).toMatchObject({
      gateway: "gw-n",
      rule: "hot",
      device,
      point: "temperature",
      severity: "warning",
      state: "raised",
      value: 35.5,
    });
    expect(hooks[0]?.body.at).toEqual(expect.any(Number));
    expect(hooks[0]?.body.message).toMatch(/35\.5/);
    expect(hooks[1]?.body).toMatchObject({ state: "acked", message: "acknowledged by alice", value: null });
    expect(hooks[0]?.headers.authorization).toBe("Bearer s3cret");
    expect(hooks[0]?.headers["content-type"]).toBe("application/json");

    expect(heard.map((h) => h.topic)).toEqual([
      `tidegate/gw-n/alerts/hot/${device}/raised`,
      `tidegate/gw-n/alerts/hot/${device}/acked`,
      `tidegate/gw-n/alerts/hot/${device}/cleared`,
    ]);
    expect(heard[2]?.body).toMatchObject({ gateway: "gw-n", rule: "hot", state: "cleared", value: 21 });

    expect(hooks.every((h) => h.path === "/hook")).toBe(true);
    const [webhook, topic, critical] = status();
    // Each event was delivered once: the two 503s were retried, not repeated after success.
    expect(answered).toBe(5);
    expect(webhook).toMatchObject({ queued: 0, counts: { delivered: 3, retried: 2, failed: 0, dropped: 0 } });
    expect(webhook?.lastError?.message).toMatch(/HTTP 503/);
    expect(topic).toMatchObject({ type: "mqtt", counts: { delivered: 3, retried: 0, failed: 0 } });
    expect(critical).toMatchObject({
      queued: 0,
      counts: { delivered: 0, retried: 0, failed: 0, dropped: 0 },
    });
  });
});
