import { hashPassword, passwordProblem } from "./password.js";
import type { Role } from "./roles.js";
import type { AuthStore } from "./store.js";

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
