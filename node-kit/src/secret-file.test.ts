import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readSecretFile, secretFileText } from "./secret-file.js";

const dir = mkdtempSync(join(tmpdir(), "tg-secret-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("secret files", () => {
  it("drop one trailing newline, LF or CRLF, and keep everything else", () => {
    expect(secretFileText("s3cret\n")).toBe("s3cret");
    expect(secretFileText("s3cret\r\n")).toBe("s3cret");
    expect(secretFileText("s3cret")).toBe("s3cret");
    expect(secretFileText(" pass word \n\n")).toBe(" pass word \n");
    expect(secretFileText("-----BEGIN KEY-----\nabc\n-----END KEY-----\n")).toBe(
      "-----BEGIN KEY-----\nabc\n-----END KEY-----",
    );
  });

  it("are read by that rule, and a missing one is named with what to do", () => {
    const file = join(dir, "pw");
    writeFileSync(file, "a long password\n");
    const fail = (message: string) => new RangeError(message);
    expect(readSecretFile(file, "--password-file", fail)).toBe("a long password");
    expect(() => readSecretFile(join(dir, "missing"), "--password-file", fail)).toThrow(RangeError);
    expect(() => readSecretFile(join(dir, "missing"), "--password-file", fail)).toThrow(
      /^--password-file: cannot read file .*missing \(ENOENT\); create it or fix the path$/,
    );
  });
});
