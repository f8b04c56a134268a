import { describe, expect, it } from "vitest";
import { z } from "zod";
import { configSchema } from "./schema.js";
import { secretPaths } from "./secret-paths.js";
import { secretSchema } from "./secrets.js";

describe("secretPaths", () => {
  it("finds secret fields through objects, wrappers, arrays, maps and unions", () => {
    const schema = z
      .object({
        a: secretSchema,
        b: z.object({ c: secretSchema.optional().describe("described") }).default({}),
        users: z.array(z.object({ name: z.string(), password: secretSchema })),
        headers: z.record(z.string(), secretSchema).optional(),
        targets: z.array(
          z.discriminatedUnion("type", [
            z.object({ type: z.literal("x"), key: secretSchema }),
            z.object({ type: z.literal("y"), key: secretSchema, token: secretSchema }),
          ]),
        ),
        plain: z.string(),
      })
      .strict();
    expect(secretPaths(schema)).toEqual([
      "a",
      "b.c",
      "users.*.password",
      "headers.*",
      "targets.*.key",
      "targets.*.token",
    ]);
  });

  it("covers every secret of the agent config, the embedded broker's TLS key included", () => {
    expect(secretPaths(configSchema)).toEqual(
      expect.arrayContaining([
        "nats.password",
        "nats.token",
        "nats.nkeySeed",
        "mqtt.broker.external.password",
        "mqtt.broker.external.key",
        "mqtt.broker.embedded.users.*.password",
        "mqtt.broker.embedded.tls.key",
        "alerts.notify.*.headers.*",
        "devices.*.transport.auth.password",
        "devices.*.transport.auth.key",
      ]),
    );
  });
});
