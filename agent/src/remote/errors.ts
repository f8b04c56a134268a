/** A refusal or failure the requester is told about in words; the agent carries on. */
export class CommandError extends Error {
  override name = "CommandError";
}
