import { z } from "zod";
import { deviceIdSchema, pointIdSchema, readingValueSchema } from "./reading.js";
import { releaseVersionSchema, upgradeStatusSchema } from "./release.js";

/**
 * Remote management: core NATS request/reply on `tidegate.cmd.<gateway>.<verb>` (see subjects.ts).
 * Each gateway subscribes only to its own `tidegate.cmd.<gateway>.>`, so nats-server can permit
 * exactly that. Nothing is queued: a gateway that is not connected gets nothing.
 */
export const COMMAND_VERBS = [
  "status",
  "config.get",
  "config.apply",
  "config.history",
  "config.rollback",
  "write",
  "logs.tail",
  "source.restart",
  "alert.ack",
  "agent.upgrade",
  "device.export",
  "device.add",
] as const;
export const commandVerbSchema = z.enum(COMMAND_VERBS);
export type CommandVerb = z.infer<typeof commandVerbSchema>;

/** How long a config change may wait for its sources to come up before it is rolled back. */
export const DEFAULT_APPLY_TIMEOUT_MS = 15_000;
const applyTimeoutMs = z
  .number()
  .int()
  .min(1000)
  .max(120_000)
  .default(DEFAULT_APPLY_TIMEOUT_MS)
  .describe("wait this long for every source to report healthy, else roll back");

const noArgs = z.object({}).strict();

/** A device profile as YAML text, carried with a device pushed to a gateway that may lack it. */
export const carriedProfileSchema = z
  .object({
    id: z.string().min(1).max(200),
    yaml: z.string().min(1).max(1_000_000),
  })
  .strict();
export type CarriedProfile = z.infer<typeof carriedProfileSchema>;

/** The arguments of each verb; unknown keys are refused so a typo is not silently ignored. */
export const commandArgsSchemas = {
  status: noArgs,
  "config.get": noArgs,
  "config.apply": z
    .object({
      config: z
        .union([z.string().min(1), z.record(z.string(), z.unknown())])
        .describe("the whole agent config: YAML (or JSON) text, or the config as a JSON object"),
      timeoutMs: applyTimeoutMs,
    })
    .strict(),
  "config.history": noArgs,
  "config.rollback": z
    .object({
      version: z
        .number()
        .int()
        .min(0)
        .describe("a version from config.history; 0 is the agent's config file"),
      timeoutMs: applyTimeoutMs,
    })
    .strict(),
  write: z
    .object({
      device: deviceIdSchema,
      point: pointIdSchema,
      value: readingValueSchema.describe("in the point's unit, as readings report it (scale applied)"),
    })
    .strict(),
  "logs.tail": z.object({ lines: z.number().int().min(1).max(1000).default(100) }).strict(),
  "source.restart": z
    .object({ device: deviceIdSchema.optional().describe("one device; default every source") })
    .strict(),
  // Who acknowledged is the request's actor (set by the collector from the session), not an
  // argument, so a caller cannot acknowledge in someone else's name.
  "alert.ack": z
    .object({
      rule: z.string().min(1).max(200).describe("the rule id, as the alert lists it"),
      device: deviceIdSchema,
    })
    .strict(),
  // The gateway answers once the upgrade has started; its progress goes out in the heartbeat.
  "agent.upgrade": z
    .object({ version: releaseVersionSchema.describe("a release in the collector's releases bucket") })
    .strict(),
  // A device definition to push to other gateways: its `devices:` entry and its profile.
  "device.export": z.object({ device: deviceIdSchema }).strict(),
  // Adds one device as a config change of its own (validated, versioned, rolled back if it does
  // not come up); the profile travels with it and is saved when the gateway lacks it.
  "device.add": z
    .object({
      device: z
        .record(z.string(), z.unknown())
        .describe("a devices: entry, as device.export answers it; checked by the agent's config schema"),
      profile: carriedProfileSchema.optional(),
      timeoutMs: applyTimeoutMs,
    })
    .strict(),
} satisfies Record<CommandVerb, z.ZodType>;
export type CommandArgs<V extends CommandVerb> = z.infer<(typeof commandArgsSchemas)[V]>;
export type CommandArgsInput<V extends CommandVerb> = z.input<(typeof commandArgsSchemas)[V]>;

/** What travels on the wire: the verb is in the subject, `actor` says who asked (for history). */
export const commandRequestSchema = z
  .object({
    actor: z.string().min(1).max(200).optional(),
    args: z.unknown().default({}),
  })
  .strict();
export type CommandRequest = z.infer<typeof commandRequestSchema>;

export const configVersionSchema = z.object({
  version: z.number().int().positive(),
  at: z.number().int(),
  actor: z.string().optional(),
  sha256: z.string(),
  /** "apply", or "rollback:<n>" for a copy of version n (0: the config file). */
  origin: z.string(),
  status: z.enum(["pending", "applied", "rolled-back"]),
  reason: z.string().optional(),
});
export type ConfigVersionInfo = z.infer<typeof configVersionSchema>;

export const commandResultSchemas = {
  status: z.record(z.string(), z.unknown()),
  "config.get": z.object({
    /** The running version; 0 is the config file the agent was started with. */
    version: z.number().int().min(0),
    config: z.record(z.string(), z.unknown()),
  }),
  "config.apply": z.object({ version: z.number().int().positive(), devices: z.array(z.string()) }),
  "config.history": z.object({
    current: z.number().int().min(0),
    file: z.object({ path: z.string(), modifiedAt: z.number() }),
    versions: z.array(configVersionSchema),
  }),
  "config.rollback": z.object({ version: z.number().int().positive(), devices: z.array(z.string()) }),
  write: z.object({
    device: z.string(),
    point: z.string(),
    written: readingValueSchema,
    words: z.array(z.number().int()),
    readBack: readingValueSchema,
    readBackWords: z.array(z.number().int()),
    matches: z.boolean(),
  }),
  "logs.tail": z.object({ lines: z.array(z.string()) }),
  "source.restart": z.object({ restarted: z.array(z.string()) }),
  /** false: the alert is not raised now, or was acknowledged already (nothing changed). */
  "alert.ack": z.object({ acknowledged: z.boolean(), by: z.string() }),
  "agent.upgrade": upgradeStatusSchema,
  /** `profile` is left out for a device whose points are its own (OPC UA `nodes:`). */
  "device.export": z.object({
    device: z.record(z.string(), z.unknown()),
    profile: carriedProfileSchema.optional(),
  }),
  "device.add": z.object({
    version: z.number().int().positive(),
    devices: z.array(z.string()),
    device: z.string(),
    /** saved: the gateway lacked the profile and keeps the one sent in its profiles folder. */
    profile: z.object({ id: z.string(), saved: z.boolean() }).optional(),
  }),
} satisfies Record<CommandVerb, z.ZodType>;
export type CommandResult<V extends CommandVerb> = z.infer<(typeof commandResultSchemas)[V]>;

export const commandReplySchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.string(),
    /** The change was applied, did not come up and was rolled back (the request itself was fine). */
    rolledBack: z.boolean().optional(),
  }),
]);
export type CommandReply = z.infer<typeof commandReplySchema>;

/**
 * How long the requester waits for a reply. A config change waits for its sources (and may then
 * roll back, which waits again), so it gets twice its apply timeout plus a margin.
 */
export function commandTimeoutMs(verb: CommandVerb, args: { timeoutMs?: number } = {}): number {
  if (verb === "config.apply" || verb === "config.rollback" || verb === "device.add")
    return 2 * (args.timeoutMs ?? DEFAULT_APPLY_TIMEOUT_MS) + 10_000;
  if (verb === "source.restart") return 30_000;
  return 10_000;
}

/** `args` checked against the verb's schema; the message names the field ("value: expected number"). */
export function parseCommandArgs<V extends CommandVerb>(
  verb: V,
  args: unknown,
): { ok: true; args: CommandArgs<V> } | { ok: false; error: string } {
  const parsed = (commandArgsSchemas[verb] as z.ZodType).safeParse(args ?? {});
  if (parsed.success) return { ok: true, args: parsed.data as CommandArgs<V> };
  const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`);
  return { ok: false, error: `${verb}: ${problems.join("; ")}` };
}

const encoder = new TextEncoder();
export const encodeCommandRequest = (r: CommandRequest) => encoder.encode(JSON.stringify(r));
export const encodeCommandReply = (r: CommandReply) => encoder.encode(JSON.stringify(r));
