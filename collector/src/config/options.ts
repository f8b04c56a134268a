import { z } from "zod";

/** Collector settings: from flags, with TIDEGATE_* environment variables as defaults (for containers). */
export const collectorOptionsSchema = z.object({
  nats: z.string().min(1).default("nats://127.0.0.1:4222").describe("comma-separated NATS server URLs"),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  host: z.string().default("0.0.0.0"),
  dataDir: z.string().min(1).default("tidegate-data"),
});
export type CollectorOptions = z.infer<typeof collectorOptionsSchema>;

export class OptionsError extends Error {
  override name = "OptionsError";
}

export function parseCollectorOptions(
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): CollectorOptions {
  const merged = {
    nats: flags.nats ?? env.TIDEGATE_NATS_URL,
    port: flags.port ?? env.TIDEGATE_HTTP_PORT,
    host: flags.host ?? env.TIDEGATE_HTTP_HOST,
    dataDir: flags["data-dir"] ?? env.TIDEGATE_DATA_DIR,
  };
  const parsed = collectorOptionsSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `  --${String(i.path[0]).replace("dataDir", "data-dir")}: ${i.message}`,
    );
    throw new OptionsError(`invalid collector options\n${lines.join("\n")}`);
  }
  return parsed.data;
}
