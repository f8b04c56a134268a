import { describe, expect, it } from "vitest";
import { csrfToken } from "./session.js";

describe("csrfToken", () => {
  it("reads the CSRF cookie among others", () => {
    expect(csrfToken("a=1; tidegate_csrf=abc-_123; b=2")).toBe("abc-_123");
    expect(csrfToken("tidegate_csrf=x%3Dy")).toBe("x=y");
  });
  it("is undefined when not signed in with a session", () => {
    expect(csrfToken("")).toBeUndefined();
    expect(csrfToken("tidegate_session_other=1")).toBeUndefined();
  });
});
