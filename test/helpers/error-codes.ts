import { formatCliError, TidegateError } from "@tidegate/protocol";
import { expect, it } from "vitest";

/** An error built with the message "m", with the name and code it must carry. */
export type ExpectedError = [err: TidegateError, name: string, code: string];

/** One test per error class: a TidegateError keeping its name, carrying its code, printed as a user's error. */
export function itCarriesItsCode(errors: ExpectedError[]) {
  it.each(errors)(
    "%s is a TidegateError with its name and code, printed without a stack",
    (err, name, code) => {
      expect(err).toBeInstanceOf(TidegateError);
      expect(err).toMatchObject({ message: "m", name, code });
      expect(formatCliError(err).exitCode).toBe(2);
    },
  );
}
