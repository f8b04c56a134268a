import { AuthCliError, ProvisionError } from "@tidegate/http-kit";
import { ProfileError, RegisterTableError } from "@tidegate/profiles";
import { formatCliError } from "@tidegate/protocol";
import { describe, expect, it } from "vitest";
import { type ExpectedError, itCarriesItsCode } from "../../test/helpers/error-codes.js";
import { FLEET_SIM_USAGE, FleetSimUsageError } from "./cli/fleet-sim.js";
import { PROBE_USAGE, ProbeUsageError } from "./cli/probe.js";
import { ProfileUsageError } from "./cli/profile.js";
import { ConfigError } from "./config/load.js";
import { SecretError } from "./config/secrets.js";
import { ConfigVersionError } from "./config/versions.js";
import { ProbeRequestError, ProbeTimeoutError } from "./probe/probe-service.js";
import { CommandError } from "./remote/errors.js";
import { BusUnavailableError } from "./sources/modbus/bus.js";
import { DecodeError } from "./sources/modbus/decode.js";
import { EncodeError } from "./sources/modbus/encode.js";
import { TopicError } from "./sources/mqtt/topics.js";

/** The errors the agent and the packages its CLI runs raise on purpose, with the code each carries. */
const errors: ExpectedError[] = [
  [new ConfigError("m"), "ConfigError", "config.invalid"],
  [new SecretError("m"), "SecretError", "config.secret"],
  [new ConfigVersionError("m"), "ConfigVersionError", "config.version"],
  [new FleetSimUsageError("m"), "FleetSimUsageError", "usage"],
  [new ProbeUsageError("m"), "ProbeUsageError", "usage"],
  [new ProfileUsageError("m"), "ProfileUsageError", "usage"],
  [new CommandError("m"), "CommandError", "command.refused"],
  [new TopicError("m"), "TopicError", "mqtt.topic"],
  [new DecodeError("m"), "DecodeError", "modbus.decode"],
  [new BusUnavailableError("m"), "BusUnavailableError", "modbus.bus-unavailable"],
  [new EncodeError("m"), "EncodeError", "modbus.encode"],
  [new ProbeRequestError("m"), "ProbeRequestError", "probe.request"],
  [new ProbeTimeoutError("m"), "ProbeTimeoutError", "probe.timeout"],
  [new ProfileError("m"), "ProfileError", "profile.invalid"],
  [new RegisterTableError("m"), "RegisterTableError", "profile.table"],
  [new ProvisionError("m"), "ProvisionError", "auth.provision"],
  [new AuthCliError("m"), "AuthCliError", "auth.refused"],
];

describe("the agent's errors", () => {
  itCarriesItsCode(errors);

  it("usage errors end with the command's usage", () => {
    expect(formatCliError(new ProbeUsageError("--port is required")).text).toBe(
      `--port is required\n\n${PROBE_USAGE}`,
    );
    expect(formatCliError(new FleetSimUsageError("--count must be a whole number")).text).toBe(
      `--count must be a whole number\n\n${FLEET_SIM_USAGE}`,
    );
  });
});
