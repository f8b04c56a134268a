import { resolve } from "node:path";
import { parseArgs } from "node:util";

export const usage = `usage: tidegate-sim modbus-tcp --profile <vendor/model> [--port 5020] [--host 127.0.0.1]
                    [--unit-id <n>] [--tick-ms 1000] [--seed <n>] [--profiles-dir <dir>]...`;

/** Bad command line or profile choice: the CLI exits with code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface CliOptions {
  protocol: "modbus-tcp";
  profile: string;
  port: number;
  host: string;
  unitId?: number;
  tickMs: number;
  seed?: number;
  profilesDirs: string[];
}

function int(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${text}'`);
  }
  return n;
}

export function parseCliArgs(argv: readonly string[]): CliOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [protocol, ...extra] = positionals;
  if (protocol !== "modbus-tcp" || extra.length > 0) {
    throw new UsageError(
      protocol === undefined ? "missing protocol" : `unknown protocol '${[protocol, ...extra].join(" ")}'`,
    );
  }
  if (!values.profile) throw new UsageError("--profile is required");
  return {
    protocol,
    profile: values.profile,
    port: int("port", values.port, 0, 65535) ?? 5020,
    host: values.host ?? "127.0.0.1",
    unitId: int("unit-id", values["unit-id"], 0, 255),
    tickMs: int("tick-ms", values["tick-ms"], 1, 86_400_000) ?? 1000,
    seed: int("seed", values.seed, 0, 2 ** 32 - 1),
    profilesDirs: (values["profiles-dir"] ?? []).map((d) => resolve(d)),
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      profile: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      "unit-id": { type: "string" },
      "tick-ms": { type: "string" },
      seed: { type: "string" },
      "profiles-dir": { type: "string", multiple: true },
    },
  });
}
