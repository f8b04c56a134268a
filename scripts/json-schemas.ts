import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { agentConfigJsonSchema } from "../agent/src/config/json-schema.js";
import { profileJsonSchema } from "../firmware-profiles/src/json-schema.js";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Every generated JSON Schema and where it lives. */
export function jsonSchemaFiles(): { file: string; schema: unknown }[] {
  return [
    { file: join(root, "firmware-profiles/profile.schema.json"), schema: profileJsonSchema() },
    { file: join(root, "agent/config.schema.json"), schema: agentConfigJsonSchema() },
  ];
}
