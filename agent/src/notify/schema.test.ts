import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseConfig } from "../config/load.js";
import { fixedSectionChanges } from "../remote/config-changes.js";

const withNotify = (notify: string, mqtt = "") => `
version: 1
gateway: plant-7
alerts:
  notify:
${notify}
${mqtt}`;

describe("alerts.notify config", () => {
  it("fills defaults for webhook and MQTT targets", () => {
    const { config } = parseConfig(
      withNotify(
        `    - { type: webhook, url: "https://hooks.example/alert", headers: { Authorization: { env: HOOK_TOKEN } } }
    - { type: mqtt, topic: "tidegate/{gateway}/alerts/{rule}" }`,
        "mqtt: { broker: { embedded: { port: 1883, allowAnonymous: true } } }",
      ),
      "/etc/tidegate/agent.yaml",
    );
    expect(config.alerts.notify).toEqual([
      {
        type: "webhook",
        url: "https://hooks.example/alert",
        headers: { Authorization: { env: "HOOK_TOKEN" } },
        minSeverity: "info",
        timeoutMs: 5000,
      },
      { type: "mqtt", topic: "tidegate/{gateway}/alerts/{rule}", minSeverity: "info", qos: 1, retain: false },
    ]);
  });

  it("reads back unchanged: config.get's output applied again changes no fixed section", () => {
    const text = withNotify(
      `    - { type: webhook, url: "https://hooks.example/alert", headers: { Authorization: "Bearer x" } }`,
    );
    const running = parseConfig(text, "/etc/tidegate/agent.yaml").config;
    const again = parseConfig(stringify(running), "/etc/tidegate/agent.yaml").config;
    expect(again.alerts).toEqual(running.alerts);
    expect(fixedSectionChanges(running, again)).toEqual([]);
  });

  it("says an MQTT target needs mqtt.broker, at the target's path", () => {
    expect(() =>
      parseConfig(withNotify(`    - { type: mqtt, topic: "alerts/{rule}" }`), "/etc/tidegate/agent.yaml"),
    ).toThrow(/at alerts\.notify\.0\.type: mqtt notifications need mqtt\.broker/);
  });

  it("refuses a wildcard topic, a non-HTTP URL and an unknown severity", () => {
    expect(() =>
      parseConfig(
        withNotify(
          `    - { type: webhook, url: "ftp://hooks.example/x" }
    - { type: webhook, url: "https://hooks.example/x", minSeverity: urgent }
    - { type: mqtt, topic: "alerts/#" }`,
          "mqtt: { broker: { embedded: { port: 1883, allowAnonymous: true } } }",
        ),
        "/etc/tidegate/agent.yaml",
      ),
    ).toThrow(
      /alerts\.notify\.0\.url: use an http:\/\/ or https:\/\/ URL[\s\S]*alerts\.notify\.1\.minSeverity[\s\S]*alerts\.notify\.2\.topic: a topic to publish to cannot hold the wildcards/,
    );
  });
});
