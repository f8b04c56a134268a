import { z } from "zod";

/** A block name: what a point's `block` refers to in `source.blocks`. */
const blockNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, "a block name: lowercase letters, digits, '_' and '-'");

/**
 * The public document a profile was written from. `blocks` says where in it each group of points
 * is (page, section, table), so a technician can check a register against the manufacturer's own
 * words; `omitted` says what the document lists that the profile leaves out, and why.
 */
export const profileSourceSchema = z
  .object({
    title: z.string(),
    url: z.string().url(),
    version: z.string().optional().describe("the document's version or revision, as printed on it"),
    blocks: z
      .record(blockNameSchema, z.string().min(1))
      .optional()
      .describe("block name -> where its registers are in the document (page, section, table)"),
    omitted: z.string().optional().describe("what the document lists that this profile leaves out, and why"),
  })
  .strict()
  .describe("the public document this profile was written from");
export type ProfileSource = z.infer<typeof profileSourceSchema>;

/** The optional field every point may carry: which of `source.blocks` cites it. */
export const pointBlockSchema = blockNameSchema
  .optional()
  .describe("the name of the source.blocks entry that cites this point");

/** An issue for each point naming a block its profile's source does not have. */
export function checkPointBlocks(
  p: { source: ProfileSource; points: readonly { block?: string | undefined }[] },
  ctx: z.RefinementCtx,
): void {
  const blocks = p.source.blocks ?? {};
  p.points.forEach((pt, i) => {
    if (pt.block !== undefined && !Object.hasOwn(blocks, pt.block))
      ctx.addIssue({
        code: "custom",
        path: ["points", i, "block"],
        message: `no block '${pt.block}' in source.blocks (has: ${Object.keys(blocks).join(", ") || "none"})`,
      });
  });
}
