import { TidegateError } from "@tidegate/protocol";

/** A refusal or failure the requester is told about in words; the agent carries on. */
export class CommandError extends TidegateError {
  override name = "CommandError";
  readonly code = "command.refused";
}
