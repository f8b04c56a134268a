import { z } from "zod";
import { configSchema } from "./schema.js";

/** JSON Schema of the agent config file, for editors (yaml-language-server). Generated, never edited by hand. */
export function agentConfigJsonSchema(): unknown {
  return z.toJSONSchema(configSchema, {
    io: "input",
    target: "draft-7",
    override: (ctx) => {
      // The gateway default is this machine's host name: say so instead of baking in the generating machine's.
      const props = (ctx.jsonSchema as { properties?: Record<string, Record<string, unknown>> }).properties;
      if (props?.gateway && props.version) {
        delete props.gateway.default;
        props.gateway.description = "stable id of this gateway; default: the host name";
      }
    },
  });
}
