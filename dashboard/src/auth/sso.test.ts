import { describe, expect, it } from "vitest";
import { takeSsoError } from "./sso.js";

function address(search: string) {
  const replaced: string[] = [];
  const loc = { pathname: "/fleet/", search, hash: "#/gateways" } as Location;
  const history = {
    replaceState: (_s: unknown, _t: string, url: string) => void replaced.push(url),
  } as History;
  return { loc, history, replaced };
}

describe("the single sign-on error in the address", () => {
  it("is read once and taken out of the address, keeping the rest", () => {
    const a = address("?sso_error=none%20of%20groups%20%5Bx%5D&lang=de");
    expect(takeSsoError(a.loc, a.history)).toBe("none of groups [x]");
    expect(a.replaced).toEqual(["/fleet/?lang=de#/gateways"]);
  });

  it("leaves an address without one alone", () => {
    const a = address("?lang=de");
    expect(takeSsoError(a.loc, a.history)).toBeUndefined();
    expect(a.replaced).toEqual([]);
  });
});
