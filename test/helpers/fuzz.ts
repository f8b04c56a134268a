import Database from "better-sqlite3";
import fc from "fast-check";

/**
 * Shared generators for the `*.fuzz.test.ts` property tests: text and values a device, a config
 * file or a client might send by mistake or on purpose, and structured mutations of valid input.
 */

/** Strings that have broken parsers before: numbers in odd spellings, controls, huge runs. */
export const hostileText = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.string({ unit: "grapheme", maxLength: 40 }),
    fc.string({
      unit: fc.constantFrom(
        "\u0000",
        "\r",
        "\n",
        "\t",
        "\u001b",
        "\u007f",
        "\u0085",
        "\ufeff",
        "\ud800",
        "a",
        ",",
        ":",
        "=",
        "*",
        "$",
        "/",
        ".",
        "-",
      ),
    }),
    fc.constantFrom(
      "",
      " ",
      "-1",
      "-0",
      "0",
      "1e400",
      "-1e400",
      "1e-400",
      "NaN",
      "Infinity",
      "-Infinity",
      "0x10",
      "1_000",
      " 42 ",
      "9007199254740993",
      "9".repeat(400),
      "null",
      "true",
      "[]",
      "{}",
      "__proto__",
      "constructor",
      "../../etc/passwd",
      "%00",
      "%ZZ",
      "\u202e",
    ),
    fc
      .tuple(fc.constantFrom("x", "9", "é", "\u0000", "/"), fc.integer({ min: 1_000, max: 70_000 }))
      .map(([c, n]) => c.repeat(n)),
  );

/** Any value a JSON parser (or a YAML one) may hand over, plus numbers JSON cannot spell. */
export const oddValue = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    hostileText(),
    fc.double(),
    fc.constantFrom(
      -1,
      0,
      1,
      0.5,
      -0.5,
      2 ** 31,
      2 ** 32,
      2 ** 53,
      2 ** 64,
      1e308,
      -1e308,
      null,
      true,
      false,
      [],
      {},
    ),
  );

type Key = string | number;

function pathsOf(value: unknown, at: Key[] = [], out: Key[][] = []): Key[][] {
  out.push(at);
  if (value === null || typeof value !== "object") return out;
  for (const [k, v] of Object.entries(value)) pathsOf(v, [...at, Array.isArray(value) ? Number(k) : k], out);
  return out;
}

interface Mutation {
  pick: number;
  op: "delete" | "replace" | "rename" | "duplicate" | "wrap" | "stringify";
  value: unknown;
  key: string;
}

function apply(root: unknown, m: Mutation): unknown {
  const paths = pathsOf(root);
  const path = paths[m.pick % paths.length] as Key[];
  const change = (v: unknown): unknown => {
    switch (m.op) {
      case "replace":
        return m.value;
      case "wrap":
        return [v];
      case "stringify":
        return typeof v === "object" ? JSON.stringify(v) : String(v);
      case "duplicate":
        return Array.isArray(v) ? [...v, ...v] : v;
      default:
        return v;
    }
  };
  if (path.length === 0) return m.op === "delete" || m.op === "rename" ? root : change(root);
  const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<Key, unknown>)[k], root) as Record<
    Key,
    unknown
  >;
  const last = path.at(-1) as Key;
  if (m.op === "delete") {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (m.op === "rename" && !Array.isArray(parent)) {
    const v = parent[last];
    delete parent[last];
    parent[m.key] = v;
  } else parent[last] = change(parent[last]);
  return root;
}

/** Copies of `base` with one to four keys deleted, renamed, retyped or replaced by odd values. */
export const mutated = (base: unknown): fc.Arbitrary<unknown> =>
  fc
    .array(
      fc.record({
        pick: fc.nat(),
        op: fc.constantFrom("delete", "replace", "replace", "rename", "duplicate", "wrap", "stringify"),
        value: oddValue(),
        key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("__proto__", "constructor", "")),
      }),
      { minLength: 1, maxLength: 4 },
    )
    .map((ms) => ms.reduce<unknown>((v, m) => apply(v, m), structuredClone(base)));

/** Text with a piece cut out, cut short, or with random characters put in. */
export const damagedText = (text: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.nat({ max: text.length }).map((n) => text.slice(0, n)),
    fc
      .tuple(fc.nat({ max: text.length }), fc.nat({ max: 40 }))
      .map(([at, n]) => text.slice(0, at) + text.slice(at + n)),
    fc
      .tuple(fc.nat({ max: text.length }), fc.string({ unit: "binary", minLength: 1, maxLength: 8 }))
      .map(([at, s]) => text.slice(0, at) + s + text.slice(at)),
  );

/** Rows of every table of an SQLite file: what a request must leave untouched when it stores nothing. */
export function rowCounts(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all();
    return Object.fromEntries(
      tables.map(({ name }) => [
        name,
        (db.prepare(`SELECT count(*) AS n FROM "${name.replaceAll('"', '""')}"`).get() as { n: number }).n,
      ]),
    );
  } finally {
    db.close();
  }
}
