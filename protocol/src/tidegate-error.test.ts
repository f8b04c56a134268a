import { describe, expect, it } from "vitest";
import { decodeBatch, encodeBatch } from "./batch.js";
import { formatCliError, TidegateError } from "./tidegate-error.js";
import { NewerWireVersionError, WireError } from "./wire-error.js";

class ExampleError extends TidegateError {
  override name = "ExampleError";
  readonly code = "example.refused";
}

describe("formatCliError", () => {
  it("prints a user's error as its message alone, with exit code 2", () => {
    const err = new ExampleError("config.yaml: at devices.0.id: use letters, digits, '_' and '-' only");
    expect(formatCliError(err)).toEqual({
      text: "config.yaml: at devices.0.id: use letters, digits, '_' and '-' only",
      exitCode: 2,
    });
  });

  it("adds the hint after a blank line when there is one", () => {
    const err = new ExampleError("--port is required", { hint: "Usage: tidegate-agent probe --port <p>" });
    expect(formatCliError(err)).toEqual({
      text: "--port is required\n\nUsage: tidegate-agent probe --port <p>",
      exitCode: 2,
    });
  });

  it("prints an unexpected error with its stack and causes, with exit code 1", () => {
    const cause = new Error("ECONNRESET");
    const err = new TypeError("cannot read properties of undefined", { cause });
    const { text, exitCode } = formatCliError(err);
    expect(exitCode).toBe(1);
    expect(text).toContain(err.stack as string);
    expect(text).toContain(`\ncaused by: ${cause.stack}`);
  });

  it("prints what is thrown even when it is no Error, and stops following a cycle of causes", () => {
    expect(formatCliError("just a string")).toEqual({ text: "just a string", exitCode: 1 });
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    a.cause = b;
    expect(formatCliError(a).text.split("caused by:")).toHaveLength(6);
  });
});

describe("error codes", () => {
  it("keep message, name, code and hint apart, and a cause when given", () => {
    const cause = new Error("inner");
    const err = new ExampleError("what happened", { hint: "what to do", cause });
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ message: "what happened", name: "ExampleError", code: "example.refused" });
    expect(err.hint).toBe("what to do");
    expect(err.cause).toBe(cause);
    expect(new ExampleError("x").hint).toBeUndefined();
  });

  it("name why a wire message cannot be read, from a small fixed set", () => {
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(WireError);
        expect(err).toBeInstanceOf(TidegateError);
        return (err as WireError).code;
      }
      throw new Error("did not throw");
    };
    expect(codeOf(() => decodeBatch("{not json"))).toBe("wire.not-json");
    expect(codeOf(() => decodeBatch('{"v":2,"gw":5}'))).toBe("wire.malformed");
    expect(codeOf(() => decodeBatch('{"v":99}', { maxVersion: 2 }))).toBe("wire.newer-version");
    expect(codeOf(() => encodeBatch("plant-1", []))).toBe("wire.unencodable");
    expect(new NewerWireVersionError("batch", 3, 2).code).toBe("wire.newer-version");
  });
});
