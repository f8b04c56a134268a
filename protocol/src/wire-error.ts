import type { z } from "zod";

/** Raised for anything that arrives over the wire and cannot be read; the message says what and where. */
export class WireError extends Error {
  override name = "WireError";
}

export function parseWire<T extends z.ZodType>(
  schema: T,
  data: Uint8Array | string,
  what: string,
): z.infer<T> {
  const text = typeof data === "string" ? data : new TextDecoder().decode(data);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new WireError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
  if (json && typeof json === "object" && "v" in json && typeof json.v === "number" && json.v > 1) {
    throw new WireError(`${what} has wire version ${json.v}; this build reads version 1. Upgrade this side.`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new WireError(`invalid ${what}: ${issues}`);
  }
  return parsed.data;
}
