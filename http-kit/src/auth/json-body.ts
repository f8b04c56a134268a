import type { Context } from "hono";
import { z } from "zod";
import { badRequest } from "../bad-request.js";
import { PASSWORD_MAX } from "./password.js";
import { ROLES } from "./roles.js";

export const userName = z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, "1–64 letters, digits or . _ @ -");
export const password = z.string().min(1).max(PASSWORD_MAX);
export const role = z.enum(ROLES);

/** A request's JSON body checked by `schema`: the data, or the error a 400 carries. */
export async function jsonBody<T extends z.ZodType>(c: Context, schema: T) {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    return { error: "the body must be JSON" } as const;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return badRequest(parsed.error, "body");
  return { data: parsed.data as z.infer<T> } as const;
}
