import { formatCliError } from "@tidegate/protocol";
import { describe, expect, it } from "vitest";
import { SchemaError } from "./migrations.js";
import { NatsSecurityError } from "./nats-security.js";

describe("the node kit's errors", () => {
  it("are a user's errors (a code, exit code 2), like every error Tidegate raises on purpose", () => {
    expect(new SchemaError("x")).toMatchObject({ code: "schema.refused", name: "SchemaError" });
    expect(new NatsSecurityError("x")).toMatchObject({ code: "nats.security", name: "NatsSecurityError" });
    expect(formatCliError(new SchemaError("store is version 9")).exitCode).toBe(2);
  });
});
