import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  makeUserCertificate,
  opensslEnv,
  type UserCertificate,
} from "../../../../test/helpers/user-certificate.js";
import {
  checkUserCertificate,
  checkUserCertificateFiles,
  userCertificateOutsideRoots,
  userCertificateProblems,
  userIdentityKey,
} from "./user-cert.js";

let dir: string;
let alice: UserCertificate;
let bob: UserCertificate;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-user-cert-"));
  alice = makeUserCertificate(dir, "alice");
  bob = makeUserCertificate(dir, "bob");
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error("expected it to throw");
};

describe("checkUserCertificate", () => {
  it("gives the subject, issuer, SHA-1 fingerprint and validity of a matching pair", () => {
    const info = checkUserCertificate(alice.cert, alice.key);
    expect(info.subject).toBe("CN=alice");
    expect(info.issuer).toBe("CN=alice");
    expect(info.fingerprint).toMatch(/^[0-9a-f]{40}$/);
    expect(Date.parse(info.validTo)).toBeGreaterThan(Date.now());
  });

  it("refuses what is not a PEM certificate or key, in words", () => {
    expect(errorOf(() => checkUserCertificate("hello", alice.key)).message).toBe(
      "cert: not a PEM certificate (expected -----BEGIN CERTIFICATE-----)",
    );
    const broken = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    expect(errorOf(() => checkUserCertificate(broken, alice.key)).message).toMatch(
      /^cert: the PEM certificate does not parse/,
    );
    expect(errorOf(() => checkUserCertificate(alice.cert, alice.cert)).message).toBe(
      "key: not a PEM private key (expected -----BEGIN PRIVATE KEY-----)",
    );
    const garbage = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    expect(errorOf(() => checkUserCertificate(alice.cert, garbage)).message).toMatch(
      /^key: the PEM private key does not parse/,
    );
  });

  it("refuses another certificate's key without repeating any of it", () => {
    const err = errorOf(() =>
      checkUserCertificate(alice.cert, bob.key, { cert: "auth.cert", key: "auth.key" }),
    );
    expect(err.code).toBe("opcua.user-certificate");
    expect(err.message).toBe("auth.key: this private key does not belong to the certificate CN=alice");
    const body = bob.key.split("\n")[1] as string;
    expect(err.message).not.toContain(body.slice(0, 16));
  });

  it("refuses an encrypted key, saying how to decrypt it", () => {
    const encrypted = execFileSync(
      "openssl",
      ["pkey", "-in", alice.keyFile, "-aes256", "-passout", "pass:secret"],
      { env: opensslEnv() },
    ).toString();
    expect(errorOf(() => checkUserCertificate(alice.cert, encrypted)).message).toMatch(
      /^key: the private key is encrypted; give it without a passphrase \(openssl pkey/,
    );
  });

  it("refuses a certificate outside its validity", () => {
    const later = new Date(Date.now() + 10 * 86_400_000);
    expect(errorOf(() => checkUserCertificate(alice.cert, alice.key, undefined, later)).message).toMatch(
      /^cert: the certificate CN=alice is valid from .* to .*, not now$/,
    );
  });
});

describe("checkUserCertificateFiles and userIdentityKey", () => {
  it("reads a path or a { file } key, and names the file it cannot read", () => {
    expect(
      checkUserCertificateFiles({ type: "certificate", cert: alice.certFile, key: alice.keyFile }).subject,
    ).toBe("CN=alice");
    expect(
      checkUserCertificateFiles({ type: "certificate", cert: alice.certFile, key: { file: alice.keyFile } })
        .subject,
    ).toBe("CN=alice");
    const missing = join(dir, "nothing.pem");
    expect(
      errorOf(() => checkUserCertificateFiles({ type: "certificate", cert: missing, key: alice.keyFile }))
        .message,
    ).toBe(`auth.cert: cannot read ${missing} (ENOENT)`);
  });

  it("tells two certificates under the same paths apart by their contents", () => {
    const cert = join(dir, "user.pem");
    const key = join(dir, "user.key");
    const auth = { type: "certificate" as const, cert, key: { file: key } };
    writeFileSync(cert, alice.cert);
    writeFileSync(key, alice.key);
    const first = userIdentityKey(auth);
    expect(userIdentityKey(auth)).toBe(first);
    writeFileSync(cert, bob.cert);
    writeFileSync(key, bob.key);
    expect(userIdentityKey(auth)).not.toBe(first);
    // The key is a hash: neither the key's text nor the certificate's is in it.
    expect(first).not.toContain(readFileSync(key, "utf8").slice(30, 50));
    expect(userIdentityKey({ type: "anonymous" })).not.toBe(first);
  });
});

describe("userCertificateProblems", () => {
  it("names the device and config path of a certificate whose key is not its own", () => {
    const devices = [
      { id: "meter", transport: { type: "tcp" } },
      {
        id: "press-1",
        transport: {
          type: "opcua",
          auth: { type: "certificate" as const, cert: alice.certFile, key: alice.keyFile },
        },
      },
      {
        id: "press-2",
        transport: {
          type: "opcua",
          auth: { type: "certificate" as const, cert: alice.certFile, key: { file: bob.keyFile } },
        },
      },
    ];
    expect(userCertificateProblems(devices)).toEqual([
      "devices.2.transport.auth.key: this private key does not belong to the certificate CN=alice (device press-2)",
    ]);
  });
});

describe("userCertificateOutsideRoots", () => {
  it("lets the page name files only inside its folders, a symlink out of one included", () => {
    const root = join(dir, "etc");
    mkdirSync(root, { recursive: true });
    const inside = {
      type: "certificate" as const,
      cert: join(root, "a.pem"),
      key: { file: join(root, "a.key") },
    };
    expect(userCertificateOutsideRoots(inside, [root])).toBeUndefined();
    expect(userCertificateOutsideRoots({ type: "anonymous" }, [root])).toBeUndefined();
    expect(userCertificateOutsideRoots({ ...inside, key: { env: "USER_KEY" } }, [root])).toBeUndefined();
    expect(userCertificateOutsideRoots({ ...inside, cert: "a.pem" }, [root])).toBe(
      "auth.cert: expected an absolute path on the gateway, got a.pem",
    );
    expect(userCertificateOutsideRoots({ ...inside, key: join(root, "..", "alice.key") }, [root])).toMatch(
      /^auth\.key: .*alice\.key is outside the folders the commissioning page may use/,
    );
    symlinkSync(alice.keyFile, join(root, "link.key"));
    expect(
      userCertificateOutsideRoots(
        { ...inside, key: join(root, "link.key") },
        [root],
        "device.transport.auth",
      ),
    ).toMatch(/^device\.transport\.auth\.key: .*link\.key is outside/);
  });
});
