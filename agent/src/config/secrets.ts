import { readSecretFile } from "@tidegate/node-kit";
import { TidegateError } from "@tidegate/protocol";
import { z } from "zod";

/**
 * A secret in the config: inline, or `{ file: path }` / `{ env: NAME }` so it stays out of the
 * config file (and out of version control); `resolveSecret` reads it when it is needed and says
 * which one is missing.
 */
/** The schemas that hold secrets: remote/mask.ts masks every config field of one (secret-paths.ts finds them). */
export const secretFields = z.registry<{ secret: true }>();

export const secretSchema = z
  .union([
    z.string().min(1),
    z
      .object({ file: z.string().min(1).describe("read from this file (a trailing newline is dropped)") })
      .strict(),
    z.object({ env: z.string().min(1).describe("read from this environment variable") }).strict(),
  ])
  .register(secretFields, { secret: true });
export type SecretRef = z.infer<typeof secretSchema>;

export class SecretError extends TidegateError {
  override name = "SecretError";
  readonly code = "config.secret";
}

/** The text of a secret; `where` names it in errors ("mqtt.broker.external.password"). */
export function resolveSecret(ref: SecretRef, where: string, env: NodeJS.ProcessEnv = process.env): string {
  if (typeof ref === "string") return ref;
  if ("env" in ref) {
    const value = env[ref.env];
    if (value === undefined || value === "")
      throw new SecretError(
        `${where}: environment variable ${ref.env} is not set; set it or give ${where} inline`,
      );
    return value;
  }
  return readSecretFile(ref.file, where, (message) => new SecretError(message));
}
