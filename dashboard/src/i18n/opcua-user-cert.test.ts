import { describe, expect, it } from "vitest";
import { opcuaAuthMessages } from "./opcua-user-cert.js";

describe("the OPC UA login words", () => {
  it("has every word in German too, and names each kind of login apart", () => {
    const { en, de } = opcuaAuthMessages;
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
    for (const m of [en, de]) {
      const kinds = (["anonymous", "username", "certificate"] as const).map(m.authType);
      expect(new Set(kinds).size).toBe(3);
      expect(m.stored("CN=line2", "ab12")).toMatch(/CN=line2.*ab12/);
    }
  });
});
