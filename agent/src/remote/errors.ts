import { TidegateError } from "@tidegate/protocol";

/** A refusal or failure the requester is told about in words; the agent carries on. */
export class CommandError extends TidegateError {
  override name = "CommandError";
  readonly code = "command.refused";
}

/** A change that was applied, did not come up, and was rolled back (the request itself was fine). */
export class ConfigRolledBackError extends CommandError {
  override name = "ConfigRolledBackError";
}

/** Another change is being applied; this one was not started. */
export class ChangeBusyError extends CommandError {
  override name = "ChangeBusyError";
}
