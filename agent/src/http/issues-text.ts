import type { z } from "zod";

/** A request body's zod issues in one line for a 400: each path (or "(body)") with what was expected. */
export const issuesText = (error: z.ZodError) =>
  error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
