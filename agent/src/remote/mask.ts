import { configSchema } from "../config/schema.js";
import { secretPaths } from "../config/secret-paths.js";

/** What a masked secret reads as; sent back unchanged in config.apply, it means "keep the current one". */
export const MASK = "********";

/**
 * Where the agent config holds secrets (its secretSchema fields, found in the schema), `*` for
 * every array element or every value of a map (webhook headers). An inline secret is masked; a
 * `{ file }` or `{ env }` reference is not a secret itself and stays.
 */
export const SECRET_PATHS: readonly string[] = secretPaths(configSchema);

type Json = Record<string, unknown>;

function visit(node: unknown, keys: string[], at: (parent: Json, key: string) => void): void {
  if (node === null || typeof node !== "object") return;
  const [key, ...rest] = keys as [string, ...string[]];
  if (key === "*") {
    if (Array.isArray(node)) for (const item of node) visit(item, rest, at);
    else if (rest.length === 0) for (const k of Object.keys(node)) at(node as Json, k);
    else for (const item of Object.values(node)) visit(item, rest, at);
    return;
  }
  if (rest.length === 0) {
    if (key in (node as Json)) at(node as Json, key);
    return;
  }
  visit((node as Json)[key], rest, at);
}

/** A URL's password (nats://user:pw@host) becomes the mask; anything else is left as it is. */
function maskUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, `$1:${MASK}@`);
}

/** A deep copy of `config` with every inline secret (and passwords inside server URLs) masked. */
export function maskSecrets<T>(config: T): T {
  const copy = structuredClone(config) as unknown;
  for (const path of SECRET_PATHS)
    visit(copy, path.split("."), (parent, key) => {
      if (typeof parent[key] === "string") parent[key] = MASK;
    });
  const nats = (copy as Json | null)?.nats as Json | undefined;
  if (Array.isArray(nats?.servers))
    nats.servers = nats.servers.map((s) => (typeof s === "string" ? maskUrl(s) : s));
  return copy as T;
}

/**
 * Puts the running config's secrets back where `incoming` still has the mask, so a config read
 * with config.get can be edited and applied without retyping passwords. A mask with no secret
 * to restore is an error: applying it would make "********" the password.
 */
export function restoreMaskedSecrets(
  incoming: unknown,
  running: unknown,
): { data: unknown; restored: string[] } {
  const data = structuredClone(incoming);
  const restored: string[] = [];
  const problems: string[] = [];
  // Walks `node` and the running config side by side; array elements (embedded broker users,
  // notify targets) are matched by position, map values (headers) by name.
  const restoreAt = (node: unknown, before: unknown, keys: readonly string[], at: readonly string[]) => {
    if (node === null || typeof node !== "object") return;
    const [key, ...rest] = keys as [string, ...string[]];
    const children = key === "*" ? Object.keys(node) : [key];
    for (const k of children) {
      const here = [...at, k];
      if (rest.length > 0) {
        restoreAt((node as Json)[k], valueAt(before, [k]), rest, here);
        continue;
      }
      if ((node as Json)[k] !== MASK) continue;
      const value = valueAt(before, [k]);
      if (value === undefined) problems.push(here.join("."));
      else {
        (node as Json)[k] = value;
        restored.push(here.join("."));
      }
    }
  };
  for (const path of SECRET_PATHS) restoreAt(data, running, path.split("."), []);
  const servers = valueAt(data, ["nats", "servers"]);
  const runningServers = valueAt(running, ["nats", "servers"]);
  if (Array.isArray(servers))
    servers.forEach((url, i) => {
      if (typeof url !== "string" || !url.includes(`:${MASK}@`)) return;
      const before = Array.isArray(runningServers) ? runningServers[i] : undefined;
      if (typeof before === "string" && maskUrl(before) === url) {
        servers[i] = before;
        restored.push(`nats.servers.${i}`);
      } else problems.push(`nats.servers.${i}`);
    });
  if (problems.length > 0)
    throw new Error(
      `${problems.join(", ")}: "${MASK}" means "keep the current secret", but the running config has none there; give the secret`,
    );
  return { data, restored };
}

function valueAt(node: unknown, keys: readonly string[]): unknown {
  let cur = node;
  for (const k of keys) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Json)[k];
  }
  return cur;
}
