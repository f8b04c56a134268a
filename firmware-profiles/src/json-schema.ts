import { z } from "zod";
import { mqttProfileSchema } from "./mqtt.js";
import { opcuaProfileSchema } from "./opcua.js";
import { profileSchema } from "./schema.js";
import { lineProfileSchema } from "./serial-line.js";

/** JSON Schema of a profile file, for editors (yaml-language-server). Generated, never edited by hand. */
export function profileJsonSchema(): unknown {
  return z.toJSONSchema(z.union([profileSchema, lineProfileSchema, mqttProfileSchema, opcuaProfileSchema]), {
    io: "input",
    target: "draft-7",
  });
}
