import type { RegisterSpec } from "./schema.js";

/** How many registers (or bits, for coil/discrete tables) a point occupies. */
export function registerCount(reg: Pick<RegisterSpec, "type" | "length">): number {
  switch (reg.type) {
    case "int16":
    case "uint16":
    case "bool":
      return 1;
    case "int32":
    case "uint32":
    case "float32":
      return 2;
    case "int64":
    case "uint64":
    case "float64":
      return 4;
    case "string":
      return reg.length ?? 1;
  }
}
