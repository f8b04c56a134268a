import { formatCliError, TidegateError } from "@tidegate/protocol";
import { describe, expect, it } from "vitest";
import { UsageError, usage } from "./cli-options.js";
import { ILLEGAL_DATA_ADDRESS, ModbusException } from "./device.js";

describe("the simulators' errors", () => {
  it("a usage error is a TidegateError that prints the usage after its message", () => {
    const err = new UsageError("--profile is required");
    expect(err).toBeInstanceOf(TidegateError);
    expect(err).toMatchObject({ name: "UsageError", code: "usage" });
    expect(formatCliError(err)).toEqual({ text: `--profile is required\n\n${usage}`, exitCode: 2 });
  });

  it("a Modbus exception keeps the code modbus-serial answers with beside its own", () => {
    const err = new ModbusException(ILLEGAL_DATA_ADDRESS, "holding 9 is not mapped");
    expect(err).toBeInstanceOf(TidegateError);
    expect(err).toMatchObject({ name: "ModbusException", code: "modbus.exception", modbusErrorCode: 2 });
  });
});
