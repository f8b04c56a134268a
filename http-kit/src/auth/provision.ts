import { readSecretFile } from "@tidegate/node-kit";
import { TidegateError } from "@tidegate/protocol";
import { addAccount } from "./accounts.js";
import { ROLES, type Role } from "./roles.js";
import type { AuthStore } from "./store.js";

export class ProvisionError extends TidegateError {
  override name = "ProvisionError";
  readonly code = "auth.provision";
}

const provisionError = (message: string) => new ProvisionError(message);

/** NAME from the environment, or the contents of the file NAME_FILE names. */
function secretFromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const file = env[`${name}_FILE`];
  return env[name] ?? (file ? readSecretFile(file, `${name}_FILE`, provisionError) : undefined);
}

/**
 * Accounts from the environment, for containers and the demo: no default passwords anywhere.
 * - TIDEGATE_ADMIN_USER with TIDEGATE_ADMIN_PASSWORD or TIDEGATE_ADMIN_PASSWORD_FILE: the first
 *   admin, created only while there are no users at all (later changes go through the API/CLI).
 * - TIDEGATE_API_TOKEN_FILE: an API token (role TIDEGATE_API_TOKEN_ROLE, default admin) accepted
 *   from then on. A token that was revoked stays revoked.
 * Returns what it did, in words, for the log.
 */
export async function provisionFromEnv(store: AuthStore, env: NodeJS.ProcessEnv): Promise<string[]> {
  const done: string[] = [];
  const user = env.TIDEGATE_ADMIN_USER;
  if (user) {
    const password = secretFromEnv(env, "TIDEGATE_ADMIN_PASSWORD");
    if (!password)
      throw new ProvisionError(
        "TIDEGATE_ADMIN_USER needs TIDEGATE_ADMIN_PASSWORD or TIDEGATE_ADMIN_PASSWORD_FILE",
      );
    if (store.userCount() === 0) {
      await addAccount(store, { name: user, role: "admin", password, actor: "environment" }, (problem) =>
        provisionError(`TIDEGATE_ADMIN_PASSWORD: ${problem}`),
      );
      done.push(`created admin ${user} from TIDEGATE_ADMIN_USER`);
    }
  }
  const tokenFile = env.TIDEGATE_API_TOKEN_FILE;
  if (tokenFile) {
    const token = readSecretFile(tokenFile, "TIDEGATE_API_TOKEN_FILE", provisionError);
    if (token.length < 20)
      throw new ProvisionError(`TIDEGATE_API_TOKEN_FILE: ${tokenFile} holds fewer than 20 characters`);
    const role = (env.TIDEGATE_API_TOKEN_ROLE ?? "admin") as Role;
    if (!ROLES.includes(role))
      throw new ProvisionError(`TIDEGATE_API_TOKEN_ROLE: expected one of ${ROLES.join(", ")}, got ${role}`);
    const known = store.tokens().length > 0 && store.findToken(token);
    if (!known) {
      const id = store.addToken(token, { name: "provisioned", role, by: "environment" });
      store.audit({
        actor: "environment",
        action: "token.create",
        target: id,
        detail: `${tokenFile} (${role})`,
        ip: null,
        ok: true,
      });
      done.push(`accepting the API token in ${tokenFile} (${role})`);
    } else if (known.revokedAt !== null)
      done.push(`the API token in ${tokenFile} was revoked; it stays refused`);
  }
  return done;
}

/** Provisions from the environment, logs what it did, and warns when nobody could sign in. */
export async function provisionAccounts(
  store: AuthStore,
  env: NodeJS.ProcessEnv,
  log: { info(message: string): void; warn(message: string): void },
  howToAddAdmin: string,
): Promise<void> {
  for (const line of await provisionFromEnv(store, env)) log.info(line);
  if (store.userCount() === 0 && store.tokens().length === 0)
    log.warn(
      `no users or API tokens yet: nobody can sign in. ${howToAddAdmin} (or set TIDEGATE_ADMIN_USER and TIDEGATE_ADMIN_PASSWORD_FILE)`,
    );
}

/**
 * The session signing key shared by replicas, from TIDEGATE_SESSION_KEY or
 * TIDEGATE_SESSION_KEY_FILE; undefined: each program keeps its own in auth.db.
 */
export function sessionKeyFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const key = secretFromEnv(env, "TIDEGATE_SESSION_KEY");
  if (key !== undefined && key.length < 32)
    throw new ProvisionError(
      "TIDEGATE_SESSION_KEY: use at least 32 random characters (e.g. openssl rand -base64 32)",
    );
  return key;
}
