import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { agentConfigJsonSchema } from "./json-schema.js";

describe("agent config JSON Schema", () => {
  it("the committed file matches the zod schema (npm run schemas regenerates it)", () => {
    const committed = JSON.parse(
      readFileSync(fileURLToPath(new URL("../../config.schema.json", import.meta.url)), "utf8"),
    );
    expect(committed).toEqual(agentConfigJsonSchema());
  });
  it("the example config points editors at it and carries the current version", () => {
    const text = readFileSync(fileURLToPath(new URL("../../config.example.yaml", import.meta.url)), "utf8");
    expect(text).toMatch(/# yaml-language-server: \$schema=/);
    expect(parseDocument(text).get("version")).toBe(1);
  });
});
