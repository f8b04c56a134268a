import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mqttConfigSchema, resolveExternal, resolveSecret, resolveUsers } from "./config.js";

/** The paths of the issues zod reports, joined like the agent's config errors ("broker.external.url"). */
function issuePaths(input: unknown): string[] {
  const result = mqttConfigSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((i) => i.path.join("."));
}

const dir = mkdtempSync(join(tmpdir(), "tidegate-mqtt-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("mqttConfigSchema", () => {
  it("fills the defaults of an embedded broker", () => {
    const c = mqttConfigSchema.parse({
      broker: { embedded: { users: [{ username: "ht-1", password: "pw", publish: ["shellies/ht-1/#"] }] } },
      devices: [{ profile: "shelly/ht-gen1" }],
    });
    expect(c.broker.embedded).toEqual({
      host: "0.0.0.0",
      port: 1883,
      allowAnonymous: false,
      anonymous: { publish: ["#"], subscribe: [] },
      users: [{ username: "ht-1", password: "pw", publish: ["shellies/ht-1/#"], subscribe: [] }],
    });
    expect(c.devices).toEqual([{ profile: "shelly/ht-gen1", topicPrefix: "" }]);
    expect(c.maxDevices).toBe(1000);
  });

  it("takes an external broker with TLS files and secrets from env/file", () => {
    const c = mqttConfigSchema.parse({
      broker: {
        external: {
          url: "mqtts://broker.plant:8883",
          username: "gw-1",
          password: { env: "MQTT_PASSWORD" },
          ca: "/etc/tidegate/ca.pem",
          cert: "/etc/tidegate/gw.pem",
          key: { file: "/etc/tidegate/gw.key" },
        },
      },
      devices: [
        {
          profile: "tasmota/energy-plug",
          device: "press-3",
          topicDevice: "tasmota_A1B2C3",
          topicPrefix: "plant/line-2",
        },
      ],
    });
    expect(c.broker.external?.rejectUnauthorized).toBe(true);
    expect(c.broker.external?.keepaliveS).toBe(30);
  });

  it("names the path of each mistake", () => {
    expect(issuePaths({ broker: {} })).toEqual(["broker"]);
    expect(
      issuePaths({ broker: { external: { url: "mqtt://a:1" }, embedded: { allowAnonymous: true } } }),
    ).toEqual(["broker"]);
    expect(issuePaths({ broker: { external: { url: "broker:1883" } } })).toEqual(["broker.external.url"]);
    expect(issuePaths({ broker: { external: { url: "mqtts://a:1", cert: "c.pem" } } })).toEqual([
      "broker.external.key",
    ]);
    expect(issuePaths({ broker: { external: { url: "mqtt://a:1", password: "x" } } })).toEqual([
      "broker.external.username",
    ]);
    expect(issuePaths({ broker: { external: { url: "mqtt://a:1", pasword: "x" } } })).toEqual([
      "broker.external",
    ]);
    expect(issuePaths({ broker: { embedded: {} } })).toEqual(["broker.embedded.users"]);
    const user = { username: "u", password: "p" };
    expect(issuePaths({ broker: { embedded: { users: [user, user] } } })).toEqual([
      "broker.embedded.users.1.username",
    ]);
    expect(issuePaths({ broker: { embedded: { users: [{ ...user, publish: ["a/#/b"] }] } } })).toEqual([
      "broker.embedded.users.0.publish.0",
    ]);
    expect(issuePaths({ broker: { embedded: { users: [{ ...user, password: { vault: "x" } }] } } })).toEqual([
      "broker.embedded.users.0.password",
    ]);
    const ext = { external: { url: "mqtt://a:1" } };
    expect(issuePaths({ broker: ext, devices: [{ profile: "x/y", device: "bad id" }] })).toEqual([
      "devices.0.device",
    ]);
    expect(issuePaths({ broker: ext, devices: [{ profile: "x/y", topicDevice: "t" }] })).toEqual([
      "devices.0.device",
    ]);
    expect(issuePaths({ broker: ext, devices: [{ profile: "x/y", topicPrefix: "site/+" }] })).toEqual([
      "devices.0.topicPrefix",
    ]);
    expect(
      issuePaths({
        broker: ext,
        devices: [
          { profile: "x/y", device: "d" },
          { profile: "x/z", device: "d" },
        ],
      }),
    ).toEqual(["devices.1.device"]);
  });
});

describe("secrets", () => {
  it("reads inline, file and env secrets", () => {
    const file = join(dir, "pw");
    writeFileSync(file, "s3cret\n");
    expect(resolveSecret("inline", "x")).toBe("inline");
    expect(resolveSecret({ file }, "x")).toBe("s3cret");
    expect(resolveSecret({ env: "TG_PW" }, "x", { TG_PW: "from-env" })).toBe("from-env");
  });

  it("says which secret is missing and what to do", () => {
    expect(() => resolveSecret({ env: "TG_NOPE" }, "mqtt.broker.external.password", {})).toThrow(
      "mqtt.broker.external.password: environment variable TG_NOPE is not set; set it or give mqtt.broker.external.password inline",
    );
    expect(() =>
      resolveSecret({ file: join(dir, "missing") }, "mqtt.broker.embedded.users.0.password"),
    ).toThrow(
      /^mqtt\.broker\.embedded\.users\.0\.password: cannot read file .*missing \(ENOENT\); create it or fix the path$/,
    );
    const b = mqttConfigSchema.parse({
      broker: {
        embedded: {
          users: [
            { username: "a", password: "p" },
            { username: "b", password: { env: "B_PW" } },
          ],
        },
      },
    }).broker.embedded;
    expect(() => resolveUsers(b as NonNullable<typeof b>, "mqtt.broker.embedded", {})).toThrow(
      /mqtt\.broker\.embedded\.users\.1\.password: environment variable B_PW/,
    );
  });

  it("reads the CA, certificate and key files of an external broker", () => {
    writeFileSync(join(dir, "ca.pem"), "CA");
    writeFileSync(join(dir, "c.pem"), "CERT");
    const ext = mqttConfigSchema.parse({
      broker: {
        external: {
          url: "mqtts://a:8883",
          username: "u",
          password: { env: "PW" },
          ca: join(dir, "ca.pem"),
          cert: join(dir, "c.pem"),
          key: { env: "KEY_PEM" },
        },
      },
    }).broker.external;
    const r = resolveExternal(ext as NonNullable<typeof ext>, "mqtt.broker.external", {
      PW: "p",
      KEY_PEM: "KEY",
    });
    expect([r.password, r.ca?.toString(), r.cert?.toString(), r.key?.toString()]).toEqual([
      "p",
      "CA",
      "CERT",
      "KEY",
    ]);
    const missing = { ...(ext as NonNullable<typeof ext>), ca: join(dir, "nope.pem") };
    expect(() => resolveExternal(missing, "mqtt.broker.external", { PW: "p", KEY_PEM: "K" })).toThrow(
      /mqtt\.broker\.external\.ca: cannot read file .*nope\.pem \(ENOENT\)/,
    );
  });
});
