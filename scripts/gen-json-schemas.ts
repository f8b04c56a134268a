// Writes the JSON Schemas generated from the zod schemas (run by `npm run schemas`; a test checks they are current).
import { writeFileSync } from "node:fs";
import { jsonSchemaFiles } from "./json-schemas.js";

for (const { file, schema } of jsonSchemaFiles()) {
  writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote ${file}`);
}
