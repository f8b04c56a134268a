import type { z } from "zod";

/** Raised for anything that arrives over the wire and cannot be read; the message says what and where. */
export class WireError extends Error {
  override name = "WireError";
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
    throw new WireError(`${what} is not valid JSON: ${(err as Error).message}`);
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
