import { TidegateError } from "@tidegate/protocol";
import { type Document, isMap } from "yaml";

/** The config version this build writes in `config migrate` and in its examples. */
export const CONFIG_VERSION = 1;

/**
 * One change of the config format. It edits the parsed YAML document (not plain data) so that
 * `tidegate-agent config migrate` can print the new form with the user's comments kept.
 */
export interface ConfigMigration {
  /** The version this step produces; it reads `to - 1`. */
  to: number;
  /** What changed, in words a technician can act on: shown as a warning on every start. */
  what: string;
  up(doc: Document): void;
}

/**
 * Released config format changes, oldest first. Version 1 is the first format; when a key is
 * renamed or moved, its step goes here and CONFIG_VERSION goes up.
 */
export const configMigrations: readonly ConfigMigration[] = [];

export class ConfigVersionError extends TidegateError {
  override name = "ConfigVersionError";
  readonly code = "config.version";
}

/**
 * Brings a parsed config document to `latest` in memory and says what changed. The user's file
 * is never rewritten: they see the warnings, and `config migrate` prints the new form to save.
 */
export function migrateConfigDocument(
  doc: Document,
  migrations: readonly ConfigMigration[] = configMigrations,
  latest = CONFIG_VERSION,
): { from: number; warnings: string[] } {
  const warnings: string[] = [];
  // A `!!set` is a map whose values cannot be set; neither it nor a non-map is a config for the schema to read.
  if (!isMap(doc.contents) || doc.contents.tag === "tag:yaml.org,2002:set") return { from: latest, warnings };
  const declared = doc.get("version");
  let from: number;
  if (declared === undefined) {
    from = 1;
    warnings.push(`no 'version:' key; read as version 1 (add 'version: ${latest}' after migrating)`);
  } else if (typeof declared === "number" && Number.isInteger(declared) && declared >= 1) {
    from = declared;
  } else {
    throw new ConfigVersionError(
      `at version: expected a whole number like ${latest} (found ${JSON.stringify(declared)})`,
    );
  }
  if (from > latest) {
    throw new ConfigVersionError(
      `at version: this config is version ${from}, written for a newer Tidegate; this build reads versions up to ${latest}. Upgrade the agent.`,
    );
  }
  for (const m of migrations) {
    if (m.to <= from || m.to > latest) continue;
    m.up(doc);
    warnings.push(`version ${m.to - 1} → ${m.to}: ${m.what}`);
  }
  if (from < latest || declared === undefined) doc.set("version", latest);
  if (from < latest)
    warnings.push(
      `this config is version ${from}; it was read as version ${latest}. Run 'tidegate-agent config migrate --config <file>' to print the new form.`,
    );
  return { from, warnings };
}
