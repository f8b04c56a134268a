import { describe, expect, it } from "vitest";
import {
  generateReleaseKeys,
  ReleaseSignatureError,
  sha256Hex,
  signRelease,
  verifyRelease,
} from "./release-signing.js";

const tarball = new TextEncoder().encode("a release tarball's bytes");
const ours = generateReleaseKeys();
const theirs = generateReleaseKeys();

const refusal = (f: () => void) => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ReleaseSignatureError);
    return (err as ReleaseSignatureError).code;
  }
  throw new Error("expected a refusal");
};

describe("release signatures", () => {
  it("verifies a tarball signed with the matching private key", () => {
    const signature = signRelease(tarball, ours.privateKeyPem);
    expect(Buffer.from(signature, "base64")).toHaveLength(64);
    verifyRelease({ tarball, signature, publicKeyPem: ours.publicKeyPem, sha256: sha256Hex(tarball) });
  });

  it("refuses a release signed by another key", () => {
    const signature = signRelease(tarball, theirs.privateKeyPem);
    expect(refusal(() => verifyRelease({ tarball, signature, publicKeyPem: ours.publicKeyPem }))).toBe(
      "release.bad-signature",
    );
  });

  it("refuses a tarball altered after signing", () => {
    const signature = signRelease(tarball, ours.privateKeyPem);
    const altered = Uint8Array.from(tarball);
    altered[0] = (altered[0] as number) ^ 1;
    expect(
      refusal(() => verifyRelease({ tarball: altered, signature, publicKeyPem: ours.publicKeyPem })),
    ).toBe("release.bad-signature");
  });

  it("refuses an unsigned release and a signature that is not one", () => {
    for (const signature of [undefined, "", "  "])
      expect(refusal(() => verifyRelease({ tarball, signature, publicKeyPem: ours.publicKeyPem }))).toBe(
        "release.unsigned",
      );
    expect(
      refusal(() => verifyRelease({ tarball, signature: "bm90IGl0", publicKeyPem: ours.publicKeyPem })),
    ).toBe("release.bad-signature");
  });

  it("names a damaged download by its digest before looking at the signature", () => {
    const signature = signRelease(tarball, ours.privateKeyPem);
    expect(
      refusal(() =>
        verifyRelease({ tarball, signature, publicKeyPem: ours.publicKeyPem, sha256: "0".repeat(64) }),
      ),
    ).toBe("release.bad-digest");
  });

  it("refuses a key that is not ed25519, saying where it came from", () => {
    const signature = signRelease(tarball, ours.privateKeyPem);
    try {
      verifyRelease({ tarball, signature, publicKeyPem: "nonsense", keyWhere: "upgrade.publicKey /k.pem" });
      throw new Error("expected a refusal");
    } catch (err) {
      expect((err as ReleaseSignatureError).code).toBe("release.bad-key");
      expect((err as Error).message).toMatch(/^upgrade\.publicKey \/k\.pem: not an ed25519 public key/);
    }
  });
});
