import { describe } from "vitest";
import { type ExpectedError, itCarriesItsCode } from "../../test/helpers/error-codes.js";
import { OptionsError } from "./config/options.js";
import { InfluxQueryError } from "./store/influx/query.js";
import { InfluxWriteError } from "./store/influx/writer.js";

/** The errors the collector raises on purpose, with the code each carries. */
const errors: ExpectedError[] = [
  [new OptionsError("m"), "OptionsError", "options.invalid"],
  [new InfluxQueryError("m"), "InfluxQueryError", "influx.query"],
  [new InfluxWriteError("m", 500, true), "InfluxWriteError", "influx.write"],
];

describe("the collector's errors", () => {
  itCarriesItsCode(errors);
});
