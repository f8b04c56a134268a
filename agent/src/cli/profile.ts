import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseProfile, profileFromTable } from "@tidegate/profiles";
import { TidegateError } from "@tidegate/protocol";
import { checkProfile } from "../profile-check/check.js";

export const PROFILE_USAGE = `Usage: tidegate-agent profile from-csv <table.csv> --id <vendor/model> --vendor <name> --model <name>
                            --title <document title> --url <document URL> [--doc-version <v>]
                            [--unit <n>] [--baud <rate>] [--out <profile.yaml>]
       tidegate-agent profile check <profile.yaml>...

from-csv turns a manual's register table into a profile (printed, or written to --out). Columns,
matched without case: address (30001/40001/463745 as the manual prints it, or 0-based with a table
column), name, type (float32, uint16, int32, ...), byte order (ABCD, CDAB, BADC, DCBA), scale, unit,
access (R, RW), min, max, and optionally id, length, bit, notes, raw (hex words of an example from
the manual) and value (what it must decode to), which become testdata.
check validates profiles and decodes their testdata with the agent's own decoders.`;

export class ProfileUsageError extends TidegateError {
  override name = "ProfileUsageError";
  readonly code = "usage";
  override readonly hint = PROFILE_USAGE;
}

function fromCsv(argv: string[], out: (text: string) => void): number {
  let parsed: ReturnType<typeof parseFromCsvArgs>;
  try {
    parsed = parseFromCsvArgs(argv);
  } catch (err) {
    throw new ProfileUsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [file] = positionals;
  if (!file || positionals.length > 1)
    throw new ProfileUsageError("from-csv takes one register table (a CSV file)");
  for (const need of ["id", "vendor", "model", "title", "url"] as const)
    if (!values[need]) throw new ProfileUsageError(`--${need} is required`);
  const whole = (name: "unit" | "baud") => {
    const text = values[name];
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0)
      throw new ProfileUsageError(`--${name} must be a whole number, got '${text}'`);
    return n;
  };
  let csv: string;
  try {
    csv = readFileSync(file, "utf8");
  } catch (err) {
    throw new ProfileUsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const yaml = profileFromTable(
    csv,
    {
      id: values.id as string,
      vendor: values.vendor as string,
      model: values.model as string,
      source: {
        title: values.title as string,
        url: values.url as string,
        ...(values["doc-version"] ? { version: values["doc-version"] } : {}),
      },
      unitId: whole("unit"),
      baudRate: whole("baud"),
    },
    file,
  );
  if (values.out) {
    writeFileSync(values.out, yaml);
    out(`wrote ${values.out}; check it with: tidegate-agent profile check ${values.out}`);
  } else out(yaml.trimEnd());
  return 0;
}

function parseFromCsvArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      id: { type: "string" },
      vendor: { type: "string" },
      model: { type: "string" },
      title: { type: "string" },
      url: { type: "string" },
      "doc-version": { type: "string" },
      unit: { type: "string" },
      baud: { type: "string" },
      out: { type: "string" },
    },
  });
}

function check(files: string[], out: (text: string) => void): number {
  if (files.length === 0) throw new ProfileUsageError("check takes one or more profile files");
  let failed = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new ProfileUsageError(`cannot read ${file}: ${(err as Error).message}`);
    }
    const profile = parseProfile(text, file);
    const result = checkProfile(profile);
    for (const f of result.failures)
      out(
        `${file}: testdata ${f.index} (${f.point}): expected ${JSON.stringify(f.expected)}, decoded ${JSON.stringify(f.got)}`,
      );
    const points = profile.points.length;
    if (result.failures.length > 0) failed += 1;
    else if (result.compared === 0)
      out(
        `${file}: ${profile.id} is valid (${points} points) but has no testdata: add the manual's examples`,
      );
    else
      out(
        `${file}: ${profile.id} is valid (${points} points); ${result.compared} testdata values decode as stated`,
      );
  }
  return failed === 0 ? 0 : 1;
}

/** `tidegate-agent profile <from-csv | check> ...`; returns the exit code. */
export function runProfileCommand(argv: string[], out: (text: string) => void = console.log): number {
  const [sub, ...rest] = argv;
  if (sub === "from-csv") return fromCsv(rest, out);
  if (sub === "check") return check(rest, out);
  throw new ProfileUsageError(
    sub ? `unknown profile command '${sub}'` : "profile needs a command: from-csv or check",
  );
}
