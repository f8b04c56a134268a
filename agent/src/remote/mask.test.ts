import { describe, expect, it } from "vitest";
import { MASK, maskSecrets, restoreMaskedSecrets } from "./mask.js";

const config = {
  gateway: "gw-1",
  nats: {
    servers: ["nats://gw-1:s3cret@nats.example:4222", "nats://nats2.example:4222"],
    user: "gw-1",
    password: "hunter2",
    token: { env: "NATS_TOKEN" },
    nkeySeed: "SUAEXAMPLESEED",
  },
  mqtt: {
    broker: {
      embedded: {
        users: [
          { username: "plug", password: "plug-pw" },
          { username: "ht", password: { file: "/etc/tidegate/ht.pw" } },
        ],
      },
      external: { url: "mqtts://broker:8883", username: "gw", password: "mqtt-pw", key: "PEM KEY" },
    },
  },
  devices: [{ id: "meter-1" }],
};

describe("maskSecrets", () => {
  it("masks every inline secret and URL password, keeps file/env references and the rest", () => {
    const masked = maskSecrets(config);
    expect(masked.nats.password).toBe(MASK);
    expect(masked.nats.nkeySeed).toBe(MASK);
    expect(masked.nats.token).toEqual({ env: "NATS_TOKEN" });
    expect(masked.nats.servers).toEqual([
      `nats://gw-1:${MASK}@nats.example:4222`,
      "nats://nats2.example:4222",
    ]);
    expect(masked.mqtt.broker.embedded.users[0]?.password).toBe(MASK);
    expect(masked.mqtt.broker.embedded.users[1]?.password).toEqual({ file: "/etc/tidegate/ht.pw" });
    expect(masked.mqtt.broker.external.password).toBe(MASK);
    expect(masked.mqtt.broker.external.key).toBe(MASK);
    expect(masked.nats.user).toBe("gw-1");
    expect(masked.devices).toEqual(config.devices);
    expect(JSON.stringify(masked)).not.toMatch(/hunter2|s3cret|plug-pw|mqtt-pw|PEM KEY|SUAEXAMPLESEED/);
    expect(config.nats.password, "the original is not touched").toBe("hunter2");
  });

  it("masks the embedded broker's inline TLS key, and restores it", () => {
    const withTls = {
      mqtt: { broker: { embedded: { tls: { cert: "/etc/tidegate/broker.pem", key: "PEM KEY" } } } },
    };
    const masked = maskSecrets(withTls);
    expect(masked.mqtt.broker.embedded.tls).toEqual({ cert: "/etc/tidegate/broker.pem", key: MASK });
    expect(restoreMaskedSecrets(masked, withTls)).toEqual({
      data: withTls,
      restored: ["mqtt.broker.embedded.tls.key"],
    });
  });

  it("tolerates configs without the optional sections", () => {
    expect(maskSecrets({ gateway: "x" })).toEqual({ gateway: "x" });
  });
});

describe("webhook headers of alert notifications", () => {
  const withHooks = {
    alerts: {
      notify: [
        {
          type: "webhook",
          url: "https://hooks.example/a",
          headers: { Authorization: "Bearer hook-secret", "X-Site": { env: "SITE_KEY" } },
        },
        { type: "mqtt", topic: "alerts/{rule}" },
      ],
    },
  };

  it("masks every inline header value and keeps references", () => {
    const masked = maskSecrets(withHooks);
    expect(masked.alerts.notify[0]?.headers).toEqual({ Authorization: MASK, "X-Site": { env: "SITE_KEY" } });
    expect(masked.alerts.notify[1]).toEqual(withHooks.alerts.notify[1]);
    expect(JSON.stringify(masked)).not.toContain("hook-secret");
  });

  it("restores a masked header by target position and header name", () => {
    const { data, restored } = restoreMaskedSecrets(maskSecrets(withHooks), withHooks);
    expect(data).toEqual(withHooks);
    expect(restored).toEqual(["alerts.notify.0.headers.Authorization"]);
  });

  it("refuses a masked header the running config does not have", () => {
    const edited = structuredClone(withHooks) as typeof withHooks;
    (edited.alerts.notify[0]?.headers as Record<string, unknown>).Token = MASK;
    expect(() => restoreMaskedSecrets(edited, withHooks)).toThrow(/alerts\.notify\.0\.headers\.Token: /);
  });
});

describe("restoreMaskedSecrets", () => {
  it("puts the running secrets back where the mask was sent", () => {
    const edited = maskSecrets(config);
    edited.devices.push({ id: "meter-2" });
    const { data, restored } = restoreMaskedSecrets(edited, config);
    expect(data).toMatchObject({
      nats: { password: "hunter2", nkeySeed: "SUAEXAMPLESEED" },
      mqtt: {
        broker: { external: { password: "mqtt-pw" }, embedded: { users: [{ password: "plug-pw" }, {}] } },
      },
    });
    expect(restored).toContain("mqtt.broker.embedded.users.0.password");
    expect((data as typeof config).nats.servers).toEqual(config.nats.servers);
    expect((data as typeof config).devices).toHaveLength(2);
  });

  it("keeps a new secret as given", () => {
    const edited = { ...config, nats: { ...config.nats, password: "new-pw" } };
    const { data } = restoreMaskedSecrets(edited, config);
    expect((data as typeof config).nats.password).toBe("new-pw");
  });

  it("refuses a mask where the running config has no secret", () => {
    expect(() => restoreMaskedSecrets({ nats: { password: MASK } }, { nats: {} })).toThrow(
      /nats.password: .* give the secret/,
    );
  });
});
