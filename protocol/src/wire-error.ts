import type { z } from "zod";
import { TidegateError } from "./tidegate-error.js";

/**
 * Why a message cannot be read, as a small fixed set: the collector counts rejected batches by it
 * in a metric label, so it must never carry the message's own details.
 */
export type WireErrorCode =
  | "wire.malformed" // valid JSON that breaks the schema or holds impossible values
  | "wire.not-json"
  | "wire.newer-version"
  | "wire.misrouted" // a batch on another gateway's subject
  | "wire.unencodable"; // the writer was handed something the format cannot carry

/** Raised for anything that arrives over the wire and cannot be read; the message says what and where. */
export class WireError extends TidegateError {
  override name = "WireError";
  constructor(
    message: string,
    readonly code: WireErrorCode = "wire.malformed",
  ) {
    super(message);
  }
}

/**
 * A message written by a newer Tidegate than this build reads. Not malformed: a newer reader
 * will read it, so it must be kept, never discarded.
 */
export class NewerWireVersionError extends WireError {
  override name = "NewerWireVersionError";
  constructor(
    readonly what: string,
    readonly version: number,
    readonly maxVersion: number,
  ) {
    super(
      `${what} has wire version ${version}; this build reads versions up to ${maxVersion}. Upgrade this side.`,
      "wire.newer-version",
    );
  }
}

export function parseWire<T extends z.ZodType>(
  schema: T,
  data: Uint8Array | string,
  what: string,
  maxVersion = 1,
): z.infer<T> {
  const text = typeof data === "string" ? data : new TextDecoder().decode(data);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new WireError(`${what} is not valid JSON: ${(err as Error).message}`, "wire.not-json");
  }
  if (
    json &&
    typeof json === "object" &&
    "v" in json &&
    Number.isInteger(json.v) &&
    (json.v as number) > maxVersion
  ) {
    throw new NewerWireVersionError(what, json.v as number, maxVersion);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new WireError(`invalid ${what}: ${issues}`);
  }
  return parsed.data;
}
