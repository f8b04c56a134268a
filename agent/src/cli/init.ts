import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { AuthCliError, addAccount, openAuthStore } from "@tidegate/http-kit";
import { readSecretFile } from "@tidegate/node-kit";
import { loadConfigFile } from "../config/load.js";

/** The example config: beside the bundle once built (dist/), in the package when run from source. */
function exampleConfig(): string {
  for (const rel of ["./config.example.yaml", "../config.example.yaml", "../../config.example.yaml"]) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new AuthCliError("config.example.yaml is missing from this installation; reinstall the agent");
}

/** The users, tokens and audit log of the agent run with `configFile`. */
export function openAgentAuth(configFile: string) {
  const path = loadConfigFile(configFile).config.http.auth.path ?? ":memory:";
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  return openAuthStore(path);
}

/**
 * First-time setup on a gateway: a config to edit (only if there is none — a user's file is never
 * overwritten) and the dashboard's first admin. The password comes from a file, or is made here
 * and printed once.
 */
export async function initAgent(
  args: string[],
  print = (line: string) => console.log(line),
  o: { example?: string } = {},
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: "string", short: "c", default: "tidegate-agent.yaml" },
      admin: { type: "string", default: "admin" },
      "password-file": { type: "string" },
    },
  });
  const configFile = values.config;
  if (existsSync(configFile)) print(`${configFile}: exists, left as it is`);
  else {
    mkdirSync(dirname(configFile), { recursive: true });
    copyFileSync(o.example ?? exampleConfig(), configFile);
    print(
      `${configFile}: written from the example; edit gateway, nats and devices, then run \`tidegate-agent check --config ${configFile}\``,
    );
  }
  const store = openAgentAuth(configFile);
  try {
    if (store.userCount() > 0) {
      print("the local dashboard has users already; manage them with `tidegate-agent user …`");
      return 0;
    }
    const file = values["password-file"];
    const fail = (message: string) => new AuthCliError(message);
    const password = file
      ? readSecretFile(file, "--password-file", fail)
      : randomBytes(12).toString("base64url");
    await addAccount(store, { name: values.admin, role: "admin", password, actor: "cli:init" }, fail);
    print(`local dashboard admin: ${values.admin}`);
    if (!file)
      print(
        `password: ${password}   (shown once; change it with \`tidegate-agent user passwd ${values.admin}\`)`,
      );
    return 0;
  } finally {
    store.close();
  }
}
