import { expect, it } from "vitest";
import { isAdminRoute } from "./admin-route.js";

it("opens the admin pages on #/admin and below, the fleet on anything else", () => {
  expect(isAdminRoute("#/admin")).toBe(true);
  expect(isAdminRoute("#admin/tokens")).toBe(true);
  expect(isAdminRoute("#/admin/audit")).toBe(true);
  expect(isAdminRoute("")).toBe(false);
  expect(isAdminRoute("#/administrator")).toBe(false);
  expect(isAdminRoute("#/gateway/admin")).toBe(false);
});
