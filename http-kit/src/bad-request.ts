import type { z } from "zod";

/**
 * A 400's body from a failed zod parse: every issue as `path: message`, so the caller learns what
 * to fix in one answer. `where` names what was parsed when an issue has no path (the whole query).
 */
export function badRequest(error: z.ZodError, where = "query"): { error: string } {
  return { error: error.issues.map((i) => `${i.path.join(".") || where}: ${i.message}`).join("; ") };
}
