import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nkeys } from "@nats-io/nats-core";
import { afterAll, describe, expect, it } from "vitest";
import { natsSecurityOptions } from "./nats-security.js";

const dir = mkdtempSync(join(tmpdir(), "tidegate-nats-options-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("NATS security options", () => {
  it("user and password, token, nkey seed", () => {
    expect(natsSecurityOptions({ user: "gw", password: "pw" }, "nats")).toEqual({ user: "gw", pass: "pw" });
    expect(natsSecurityOptions({ token: "t0k" }, "nats")).toEqual({ token: "t0k" });
    const seed = new TextDecoder().decode(nkeys.createUser().getSeed());
    expect(natsSecurityOptions({ nkeySeed: `${seed}\n` }, "nats").authenticator).toBeTypeOf("function");
  });

  it("TLS files are checked when the program starts, not at the first connect", () => {
    const ca = join(dir, "ca.pem");
    writeFileSync(ca, "-----BEGIN CERTIFICATE-----\n");
    expect(natsSecurityOptions({ tls: { ca } }, "nats")).toEqual({ tls: { caFile: ca } });
    expect(() => natsSecurityOptions({ tls: { ca: join(dir, "missing.pem") } }, "nats")).toThrow(
      /nats: cannot read the CA certificate .*missing\.pem \(ENOENT\)/,
    );
    expect(() => natsSecurityOptions({ credsFile: join(dir, "gw.creds") }, "--nats-creds")).toThrow(
      /--nats-creds: cannot read the creds file/,
    );
  });

  it("refuses settings that cannot work together", () => {
    expect(() => natsSecurityOptions({ user: "a", token: "t" }, "nats")).toThrow(
      /one of user\/password, token/,
    );
    expect(() => natsSecurityOptions({ password: "pw" }, "nats")).toThrow(/a password needs a user/);
    expect(() => natsSecurityOptions({ tls: { cert: "c.pem" } }, "nats")).toThrow(/needs its key/);
  });
});
