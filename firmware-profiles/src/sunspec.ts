import { z } from "zod";
import { registerCount } from "./registers.js";

/** One SunSpec model a profile reads, with its size from the model's definition. */
export const sunspecModelSchema = z
  .object({
    id: z.number().int().min(1).max(65534).describe("the model id (1 common, 103 three-phase inverter, …)"),
    length: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .describe("registers after ID and L in the definition; for a repeating model, its fixed part only"),
    repeat: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("registers of one repeating block (model 160's modules); the device's L says how many"),
  })
  .strict();
export type SunspecModel = z.infer<typeof sunspecModelSchema>;

/**
 * A device that chains SunSpec models after the "SunS" marker: the agent walks the chain (ID, L,
 * …, up to ID 0xFFFF) at connect and finds each point at its model's start plus its offset.
 */
export const sunspecSchema = z
  .object({
    bases: z
      .array(z.number().int().min(0).max(65533))
      .min(1)
      .default([40000, 50000, 0])
      .describe("protocol addresses where the 'SunS' marker may be, tried in order"),
    models: z.array(sunspecModelSchema).min(1),
  })
  .strict()
  .describe("SunSpec model discovery: points with register.model are found by walking the model chain");
export type SunspecSpec = z.infer<typeof sunspecSchema>;

/** The "SunS" marker as two registers. */
export const SUNS_MARKER = [0x5375, 0x6e53] as const;
/** The model id that ends a chain. */
export const SUNSPEC_END = 0xffff;

type Checked = {
  sunspec?: SunspecSpec | undefined;
  points: readonly {
    id: string;
    register: {
      type: Parameters<typeof registerCount>[0]["type"];
      length?: number | undefined;
      model?: number | undefined;
      offset?: number | undefined;
      repeat?: number | undefined;
    };
    scaleFactor?: string | undefined;
  }[];
};

/**
 * Every SunSpec point names a model the profile lists and fits inside it (or inside one repeating
 * block); every scale factor names an int16 point of the profile.
 */
export function checkSunspecPoints(p: Checked, ctx: z.RefinementCtx): void {
  const models = new Map((p.sunspec?.models ?? []).map((m) => [m.id, m]));
  const byId = new Map(p.points.map((pt) => [pt.id, pt]));
  p.points.forEach((pt, i) => {
    const { model, offset, repeat } = pt.register;
    if (model !== undefined) {
      const m = models.get(model);
      const at = ["points", i, "register"];
      if (!m) {
        const listed = [...models.keys()].join(", ") || "none: add a sunspec: block";
        ctx.addIssue({
          code: "custom",
          path: [...at, "model"],
          message: `model ${model} is not in sunspec.models (${listed})`,
        });
      } else if (repeat !== undefined && m.repeat === undefined) {
        ctx.addIssue({
          code: "custom",
          path: [...at, "repeat"],
          message: `model ${model} has no repeating blocks: leave repeat out`,
        });
      } else {
        // Without repeat, the offset counts in the model's fixed part.
        const room = repeat === undefined ? m.length : (m.repeat as number);
        const end = (offset ?? 0) + registerCount(pt.register);
        if (end > room)
          ctx.addIssue({
            code: "custom",
            path: [...at, "offset"],
            message: `ends at register ${end} of ${repeat === undefined ? `model ${model}'s fixed part` : "a repeating block"}, which has ${room}${m.repeat && repeat === undefined ? ": give repeat for a point of a repeating block" : ""}`,
          });
      }
    }
    if (pt.scaleFactor !== undefined) {
      const sf = byId.get(pt.scaleFactor);
      if (sf?.register.type !== "int16" || sf.scaleFactor !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["points", i, "scaleFactor"],
          message: `'${pt.scaleFactor}' must be an int16 point of this profile without a scale factor of its own`,
        });
    }
  });
}
