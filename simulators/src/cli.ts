#!/usr/bin/env node
import { findBundledProfilesDir, loadProfiles, modbusProfiles, ProfileError } from "@tidegate/profiles";
import { type CliOptions, parseCliArgs, UsageError, usage } from "./cli-options.js";
import { startModbusTcpSimulator } from "./modbus-tcp.js";

function fail(message: string, code: number): never {
  process.stderr.write(`tidegate-sim: ${message}\n`);
  process.exit(code);
}

function profileFor(opts: CliOptions) {
  // findBundledProfilesDir searches upward from wherever this code runs (src/ or the bundle in dist/),
  // so it finds dist/profiles or the checkout's firmware-profiles/; --profiles-dir adds to it.
  const dirs = [findBundledProfilesDir(), ...opts.profilesDirs];
  const profiles = loadProfiles(dirs);
  const profile = profiles.get(opts.profile);
  if (profile?.kind !== "modbus") {
    const ids = modbusProfiles(profiles)
      .map((p) => p.id)
      .sort();
    throw new UsageError(
      `unknown profile '${opts.profile}'; available: ${ids.join(", ") || "(none)"} (from ${dirs.join(", ")})`,
    );
  }
  return profile;
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  let opts: CliOptions;
  let profile: ReturnType<typeof profileFor>;
  try {
    opts = parseCliArgs(argv);
    profile = profileFor(opts);
  } catch (err) {
    if (err instanceof UsageError) fail(`${err.message}\n${usage}`, 2);
    if (err instanceof ProfileError) fail(err.message, 2);
    throw err;
  }
  const sim = await startModbusTcpSimulator({
    profile,
    port: opts.port,
    host: opts.host,
    unitId: opts.unitId,
    tickMs: opts.tickMs,
    seed: opts.seed,
  }).catch((err: Error) => fail(`cannot listen on ${opts.host}:${opts.port}: ${err.message}`, 1));
  process.stdout.write(
    `tidegate-sim: modbus-tcp ${profile.id} listening on ${sim.host}:${sim.port} (unit ${sim.unitId})\n`,
  );
  const stop = () => {
    // If anything still holds the event loop after close, do not hang a supervisor's stop.
    setTimeout(() => process.exit(0), 2000).unref();
    void sim.close();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main(process.argv.slice(2)).catch((err: Error) => fail(err.stack ?? err.message, 1));
