import { expect, it } from "vitest";
import { routeOf } from "./route.js";

it("opens the technician page on #/technician, commissioning on #/commission and the overview otherwise", () => {
  expect(routeOf("#/technician")).toBe("technician");
  expect(routeOf("#technician")).toBe("technician");
  expect(routeOf("")).toBe("overview");
  expect(routeOf("#/")).toBe("overview");
  expect(routeOf("#/technicians")).toBe("overview");
  expect(routeOf("#/commission")).toBe("commission");
});
