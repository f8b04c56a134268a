import { parseArgs } from "node:util";
import { findBundledProfilesDir, loadProfiles } from "@tidegate/profiles";
import { TidegateError } from "@tidegate/protocol";
import pino from "pino";
import { parseSetting, settingLabel } from "../commission/scan/plan.js";
import { type ScanRequest, scanRequestSchema } from "../commission/scan/request.js";
import { createScanner, type ScanState } from "../commission/scan/scanner.js";

export const SCAN_USAGE = `Usage: tidegate-agent scan --port <serial device> | --host <host[:port]>
                           [--baud 9600,19200] [--framing 8N1,8E1] [--unit-ids 1-247]
                           [--timeout-ms <per id>] [--all-settings] [--no-identify] [--profiles-dir <dir>]...

Finds Modbus devices: on a serial port every baud rate from 1200 to 115200 with 8N1, 8E1, 8O1 and
8N2 (the profiles' default speeds first) and unit ids 1-247; on a Modbus TCP host (or an RS-485
gateway behind it) its unit ids. Each device found is read against every profile, which are
ranked by evidence (identify registers, SunSpec marker, FC 43/14, values within min/max). The port must not be in use by a running agent: scan from its
dashboard then, which shares the line with polling. Exit code 0 when devices were found, 1 when
none answered or the line failed, 2 for a usage error.`;

export class ScanUsageError extends TidegateError {
  override name = "ScanUsageError";
  readonly code = "usage";
  override readonly hint = SCAN_USAGE;
}

const list = (text: string | undefined) =>
  text
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export function parseScanArgs(argv: string[]): { request: ScanRequest; profilesDirs: string[] } {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        baud: { type: "string" },
        framing: { type: "string" },
        "unit-ids": { type: "string" },
        "timeout-ms": { type: "string" },
        "all-settings": { type: "boolean" },
        "no-identify": { type: "boolean" },
        "profiles-dir": { type: "string", multiple: true },
      },
    }));
  } catch (err) {
    throw new ScanUsageError((err as Error).message);
  }
  const port = values.port as string | undefined;
  const host = values.host as string | undefined;
  if (Boolean(port) === Boolean(host))
    throw new ScanUsageError("give either --port <serial device> or --host <host[:port]>");
  const ids = values["unit-ids"] as string | undefined;
  const range = ids === undefined ? undefined : /^(\d+)(?:-(\d+))?$/.exec(ids);
  if (range === null) throw new ScanUsageError(`--unit-ids must be like 1-247 or 7, got '${ids}'`);
  const unitIds = range ? { from: Number(range[1]), to: Number(range[2] ?? range[1]) } : undefined;
  const timeout = values["timeout-ms"] as string | undefined;
  const common = {
    identify: !values["no-identify"],
    ...(unitIds ? { unitIds } : {}),
    ...(timeout !== undefined ? { timeoutMs: Number(timeout) } : {}),
  };
  let raw: unknown;
  if (host) {
    const m = /^([^:]+)(?::(\d+))?$/.exec(host);
    if (!m) throw new ScanUsageError(`--host must be host or host:port, got '${host}'`);
    raw = { host: m[1], port: Number(m[2] ?? 502), ...common };
  } else {
    const bauds = list(values.baud as string | undefined)?.map(Number);
    const framings = list(values.framing as string | undefined);
    for (const f of framings ?? [])
      if (!parseSetting(`9600 ${f}`))
        throw new ScanUsageError(`--framing takes 8N1, 8E1, 8O1 or 8N2, got '${f}'`);
    raw = {
      serial: port,
      ...(bauds ? { bauds } : {}),
      ...(framings ? { framings: framings.map((f) => f.toUpperCase()) } : {}),
      ...(values["all-settings"] ? { allSettings: true } : {}),
      ...common,
    };
  }
  const parsed = scanRequestSchema.safeParse(raw);
  if (!parsed.success)
    throw new ScanUsageError(
      parsed.error.issues.map((i) => `${i.path.join(".") || "scan"}: ${i.message}`).join("; "),
    );
  return { request: parsed.data, profilesDirs: (values["profiles-dir"] as string[] | undefined) ?? [] };
}

function progressLine(s: ScanState): string {
  const p = s.progress;
  const left = Math.ceil(p.etaMs / 1000);
  return `  ${p.current ?? "…"}: ${p.idsTried}/${p.idsTotal} ids, settings ${p.settingsDone}/${p.settingsTotal}, ${p.found.length} found, ~${left} s left`;
}

/** Scans, printing progress to stderr and what answered to stdout; Ctrl-C cancels and prints what was found. */
export async function scan(
  argv: string[],
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  const { request, profilesDirs } = parseScanArgs(argv);
  const profiles = loadProfiles([findBundledProfilesDir(), ...profilesDirs]);
  const scanner = createScanner(
    {
      loaded: () => ({ config: { devices: [] }, library: { all: () => profiles } }),
      modbusTarget: () => undefined,
    },
    pino({ level: "silent" }),
  );
  const first = scanner.start(request);
  out(
    `scanning ${first.target}: ${first.progress.settingsTotal} settings × ${first.progress.idsTotal / Math.max(1, first.progress.settingsTotal)} unit ids`,
  );
  const onInt = () => scanner.cancel();
  process.once("SIGINT", onInt);
  const ticker = setInterval(() => {
    const s = scanner.status();
    if (s) err(progressLine(s));
  }, 2000);
  try {
    await scanner.settled();
  } finally {
    clearInterval(ticker);
    process.off("SIGINT", onInt);
    scanner.stop();
  }
  const done = scanner.status() as ScanState;
  for (const f of done.progress.found) {
    out(`found unit ${f.unitId} at ${f.serial ? settingLabel(f.serial) : done.target}`);
    for (const c of (f.candidates ?? []).slice(0, 3)) {
      const sample = c.values
        .slice(0, 3)
        .map(
          (v) =>
            `${v.id} ${typeof v.value === "number" ? Number(v.value.toPrecision(6)) : v.value}${v.unit ? ` ${v.unit}` : ""}`,
        )
        .join(", ");
      out(
        `  ${String(c.score).padStart(4)}  ${c.profile}  (${c.evidence.map((e) => e.text).join("; ") || "no evidence"})${sample ? `  ${sample}` : ""}`,
      );
    }
  }
  if (done.state === "failed") {
    err(`scan failed: ${done.error}`);
    return 1;
  }
  if (done.state === "cancelled") out("cancelled");
  if (done.progress.found.length === 0) {
    const noisy = Object.keys(done.progress.noise);
    out(
      `no device answered${noisy.length ? ` (garbled replies at ${noisy.join(", ")}: a device may be there at another setting, or the A/B wires are swapped)` : ""}`,
    );
    return 1;
  }
  return 0;
}
