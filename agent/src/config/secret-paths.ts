import type { z } from "zod";
import { secretFields } from "./secrets.js";

/** The parts of a zod definition the walk follows; other kinds (strings, numbers, enums) hold no fields. */
interface WalkedDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: readonly z.ZodType[];
  in?: z.ZodType;
  out?: z.ZodType;
  left?: z.ZodType;
  right?: z.ZodType;
  innerType?: z.ZodType;
}

/**
 * Where values of `schema` hold secrets (fields whose schema is registered in `secretFields`), as
 * dotted paths with `*` for every array element or every value of a map: what remote/mask.ts
 * masks. Derived from the schema, so a secret added to the config is masked without a list to keep.
 */
export function secretPaths(schema: z.ZodType): string[] {
  const paths = new Set<string>();
  const walk = (node: z.ZodType | undefined, at: readonly string[]): void => {
    if (node === undefined) return;
    if (secretFields.get(node)?.secret) {
      paths.add(at.join("."));
      return;
    }
    const def = node._zod.def as WalkedDef;
    if (def.type === "object")
      for (const [key, field] of Object.entries(def.shape ?? {})) walk(field, [...at, key]);
    else if (def.type === "array") walk(def.element, [...at, "*"]);
    else if (def.type === "record") walk(def.valueType, [...at, "*"]);
    else if (def.type === "union") for (const option of def.options ?? []) walk(option, at);
    else if (def.type === "pipe") for (const side of [def.in, def.out]) walk(side, at);
    else if (def.type === "intersection") for (const side of [def.left, def.right]) walk(side, at);
    // optional, nullable, default, prefault, catch, readonly: the same value, wrapped.
    else walk(def.innerType, at);
  };
  walk(schema, []);
  return [...paths];
}
