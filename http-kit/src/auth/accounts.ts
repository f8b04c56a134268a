import { readFileSync } from "node:fs";
import { hashPassword, passwordProblem } from "./password.js";
import type { Role } from "./roles.js";
import type { AuthStore } from "./store.js";

/**
 * A secret kept in a file (a password, a token, a key), trimmed; `where` names the flag or variable
 * in the error, which `fail` turns into the caller's error type.
 */
export function readSecretFile(path: string, where: string, fail: (message: string) => Error): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch (err) {
    throw fail(`${where}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
}

/**
 * Creates a user from the CLI, the environment or `init`, checked like one from the API and
 * audited as done by `actor`. Throws `fail(reason)` for a password that is not acceptable.
 */
export async function addAccount(
  store: AuthStore,
  a: { name: string; role: Role; password: string; actor: string },
  fail: (message: string) => Error,
): Promise<void> {
  const problem = passwordProblem(a.password);
  if (problem) throw fail(problem);
  store.addUser(a.name, a.role, await hashPassword(a.password));
  store.audit({
    actor: a.actor,
    action: "user.add",
    target: a.name,
    detail: `role ${a.role}`,
    ip: null,
    ok: true,
  });
}
