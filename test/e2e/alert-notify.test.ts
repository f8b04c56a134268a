import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import mqtt from "mqtt";
import { describe, expect, it } from "vitest";
import { apiFetch } from "./helpers/auth.js";
import { deferredCleanup } from "./helpers/cleanup.js";
import { freePort } from "./helpers/ports.js";
import { meterAgentConfig, startMeter } from "./helpers/system.js";
import { startAgent } from "./helpers/tidegate.js";
import { getJson, waitFor } from "./helpers/wait.js";

// The built agent sends its alerts out as they happen: a meter's voltage crosses a rule's limit,
// and the raise, an operator's acknowledgement and the clear reach a webhook (down at first) and
// a subscriber of the agent's embedded MQTT broker. No NATS is running: notifications do not
// wait for the uplink.

const defer = deferredCleanup();

interface Event {
  rule: string;
  device: string;
  state: string;
  severity: string;
  value: number | null;
}
interface Status {
  alerts: {
    notify: {
      name: string;
      queued: number;
      counts: Record<string, number>;
      lastError?: { message: string };
    }[];
  };
}

describe("alert notifications from the agent", () => {
  it("reach a webhook (retried while it fails) and an MQTT subscriber, and are counted", async () => {
    const hooks: { headers: IncomingHttpHeaders; body: Event }[] = [];
    let requests = 0;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        requests += 1;
        if (requests === 1) return void res.writeHead(503).end();
        hooks.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString()) });
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    defer(() => new Promise((resolve) => server.close(resolve)));
    const hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;

    const meter = await startMeter(8);
    defer(() => meter.close());
    meter.set("voltage", 230);
    const brokerPort = await freePort();
    const config = `${meterAgentConfig({
      gateway: "notify-plant",
      natsUrl: `nats://127.0.0.1:${await freePort()}`,
      meterPort: meter.port,
      pollIntervalMs: 100,
    })}
mqtt:
  broker:
    embedded:
      host: 127.0.0.1
      port: ${brokerPort}
      users: [{ username: ops, password: ops-pw, subscribe: ["tidegate/#"] }]
rules:
  - { id: high-voltage, point: voltage, type: threshold, above: 250, severity: critical }
alerts:
  notify:
    - type: webhook
      url: ${hookUrl}
      headers: { Authorization: { env: NOTIFY_AUTH } }
      minSeverity: warning
    - { type: mqtt, topic: "tidegate/{gateway}/alerts/{rule}/{state}", qos: 1 }
`;
    const agent = await startAgent(config, { env: { NOTIFY_AUTH: "Bearer hook-token" } });
    defer(() => agent.stop());

    const subscriber = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, {
      username: "ops",
      password: "ops-pw",
      reconnectPeriod: 0,
    });
    defer(() => subscriber.endAsync());
    const heard: { topic: string; body: Event }[] = [];
    subscriber.on("message", (topic, payload) => heard.push({ topic, body: JSON.parse(payload.toString()) }));
    await subscriber.subscribeAsync("tidegate/#", { qos: 1 });

    meter.set("voltage", 255);
    await waitFor(
      () => `the raise at both targets\n${agent.output()}`,
      () => hooks.length === 1 && heard.length === 1,
    );
    const ack = await apiFetch(`${agent.url}/api/v1/alerts/ack`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rule: "high-voltage", device: "meter-1" }),
    });
    expect(ack.status).toBe(200);
    meter.set("voltage", 230);
    await waitFor(
      () => `ack and clear at both targets\n${agent.output()}`,
      () => hooks.length === 3 && heard.length === 3,
    );

    expect(hooks.map((h) => h.body.state)).toEqual(["raised", "acked", "cleared"]);
    expect(hooks[0]?.body).toMatchObject({
      rule: "high-voltage",
      device: "meter-1",
      severity: "critical",
      value: 255,
    });
    expect(hooks[0]?.headers.authorization).toBe("Bearer hook-token");
    expect(heard.map((h) => h.topic)).toEqual([
      "tidegate/notify-plant/alerts/high-voltage/raised",
      "tidegate/notify-plant/alerts/high-voltage/acked",
      "tidegate/notify-plant/alerts/high-voltage/cleared",
    ]);

    const status = await getJson<Status>(`${agent.url}/api/v1/status`);
    expect(status.alerts.notify).toEqual([
      expect.objectContaining({
        name: expect.stringMatching(/^webhook:127\.0\.0\.1:\d+\/alerts$/),
        queued: 0,
        counts: { delivered: 3, retried: 1, failed: 0, dropped: 0 },
        lastError: expect.objectContaining({ message: expect.stringMatching(/HTTP 503/) }),
      }),
      expect.objectContaining({ name: "mqtt:tidegate/{gateway}/alerts/{rule}/{state}", queued: 0 }),
    ]);
    const metrics = await (await apiFetch(`${agent.url}/metrics`)).text();
    expect(metrics).toMatch(
      /tidegate_alert_notifications_total\{target="webhook:127\.0\.0\.1:\d+\/alerts",outcome="retried",gateway="notify-plant"\} 1/,
    );
    // The header secret came from the environment and stays out of the status.
    expect(JSON.stringify(status)).not.toContain("hook-token");
  });
});
