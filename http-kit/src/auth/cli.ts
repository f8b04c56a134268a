import { userInfo } from "node:os";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { readSecretFile } from "@tidegate/node-kit";
import { TidegateError } from "@tidegate/protocol";
import { addAccount } from "./accounts.js";
import { hashPassword, passwordProblem } from "./password.js";
import { ROLES, type Role } from "./roles.js";
import { type AuthStore, newToken } from "./store.js";

export class AuthCliError extends TidegateError {
  override name = "AuthCliError";
  readonly code = "auth.refused";
}

export const AUTH_USAGE = (
  program: string,
) => `       ${program} user add <name> [--role viewer|operator|admin] [--password-file <file>]
       ${program} user passwd <name> [--password-file <file>]
       ${program} user role <name> <role>
       ${program} user remove <name>
       ${program} user list
       ${program} token create <name> [--role viewer|operator|admin]   prints the token once
       ${program} token list
       ${program} token revoke <id>
                  without --password-file the password is read from the terminal (or one line of stdin)`;

/** One line from stdin; on a terminal, typed without echo. */
async function readPassword(prompt: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY });
  if (process.stdin.isTTY) {
    process.stderr.write(prompt);
    // Echo nothing while the password is typed.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
  }
  try {
    for await (const line of rl) return line;
    return "";
  } finally {
    rl.close();
    if (process.stdin.isTTY) process.stderr.write("\n");
  }
}

const cliError = (message: string) => new AuthCliError(message);

/** A new password from `--password-file`, or typed twice on a terminal (one line of stdin otherwise). */
async function newPassword(file: string | undefined): Promise<string> {
  if (file) return readSecretFile(file, "--password-file", cliError);
  const password = await readPassword("password: ");
  if (process.stdin.isTTY && (await readPassword("again: ")) !== password)
    throw new AuthCliError("the passwords differ; nothing changed");
  return password;
}

function parseRole(text: string | undefined, fallback: Role): Role {
  const role = (text ?? fallback) as Role;
  if (!ROLES.includes(role))
    throw new AuthCliError(`--role: expected one of ${ROLES.join(", ")}, got ${text}`);
  return role;
}

const time = (ms: number | null) => (ms === null ? "-" : new Date(ms).toISOString());

/**
 * `user …` and `token …` for agent and collector: run on the machine, against the program's
 * auth file (the service may be running; SQLite takes care of that). Returns the exit code.
 */
export async function runAuthCommand(
  args: string[],
  openStore: () => AuthStore,
  print: (line: string) => void = (l) => console.log(l),
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      role: { type: "string" },
      "password-file": { type: "string" },
      config: { type: "string", short: "c" },
      "data-dir": { type: "string" },
    },
  });
  const [what, verb, name, extra] = positionals;
  const store = openStore();
  const actor = `cli:${userInfo().username}`;
  const audit = (action: string, target: string, detail?: string) =>
    store.audit({ actor, action, target, detail: detail ?? null, ip: null, ok: true });
  try {
    if (what === "user" && verb === "list") {
      for (const u of store.users()) print(`${u.name}\t${u.role}\tsince ${time(u.createdAt)}`);
      if (store.userCount() === 0) print("no users yet: add one with `user add <name> --role admin`");
      return 0;
    }
    if (what === "token" && verb === "list") {
      for (const t of store.tokens())
        print(
          `${t.id}\t${t.name}\t${t.role}\tlast used ${time(t.lastUsedAt)}${t.revokedAt ? `\trevoked ${time(t.revokedAt)}` : ""}`,
        );
      return 0;
    }
    if (!name) throw new AuthCliError(`${what ?? "user"} ${verb ?? ""}: a name is missing`);
    if (what === "user" && verb === "add") {
      if (!/^[A-Za-z0-9._@-]{1,64}$/.test(name))
        throw new AuthCliError("a user name is 1–64 letters, digits or . _ @ -");
      if (store.getUser(name)) throw new AuthCliError(`user ${name} exists; use \`user passwd ${name}\``);
      const role = parseRole(values.role, "viewer");
      const password = await newPassword(values["password-file"]);
      await addAccount(store, { name, role, password, actor }, cliError);
      print(`added ${name} (${role})`);
      return 0;
    }
    if (what === "user" && (verb === "passwd" || verb === "role" || verb === "remove")) {
      const user = store.getUser(name);
      if (!user) throw new AuthCliError(`no user ${name}`);
      if (verb === "passwd") {
        const password = await newPassword(values["password-file"]);
        const problem = passwordProblem(password);
        if (problem) throw new AuthCliError(problem);
        store.updateUser(user.name, { hash: await hashPassword(password) });
        audit("user.change", user.name, "password");
        print(`changed the password of ${user.name}; its sessions have ended`);
      } else if (verb === "role") {
        const role = parseRole(extra, user.role);
        if (user.role === "admin" && role !== "admin" && store.adminCount() === 1)
          throw new AuthCliError("the last admin cannot lose the admin role");
        store.updateUser(user.name, { role });
        audit("user.change", user.name, `role ${role}`);
        print(`${user.name} is now ${role}`);
      } else {
        if (user.role === "admin" && store.adminCount() === 1)
          throw new AuthCliError("the last admin cannot be removed");
        store.removeUser(user.name);
        audit("user.remove", user.name);
        print(`removed ${user.name}`);
      }
      return 0;
    }
    if (what === "token" && verb === "create") {
      const role = parseRole(values.role, "viewer");
      const token = newToken();
      const id = store.addToken(token, { name, role, by: actor });
      audit("token.create", id, `${name} (${role})`);
      print(token);
      console.error(`token ${id} (${name}, ${role}): shown once; send it as "Authorization: Bearer <token>"`);
      return 0;
    }
    if (what === "token" && verb === "revoke") {
      if (!store.revokeToken(name)) throw new AuthCliError(`no active token ${name} (see \`token list\`)`);
      audit("token.revoke", name);
      print(`revoked ${name}`);
      return 0;
    }
    throw new AuthCliError(`unknown command: ${[what, verb].filter(Boolean).join(" ")}`);
  } finally {
    store.close();
  }
}
