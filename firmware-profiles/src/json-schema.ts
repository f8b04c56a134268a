import { z } from "zod";
import { profileSchema } from "./schema.js";

/** JSON Schema of a profile file, for editors (yaml-language-server). Generated, never edited by hand. */
export function profileJsonSchema(): unknown {
  return z.toJSONSchema(profileSchema, { io: "input", target: "draft-7" });
}
