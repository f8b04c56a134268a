import { parseArgs } from "node:util";
import { AUTH_USAGE, runAuthCommand } from "@tidegate/http-kit";
import { formatCliError } from "@tidegate/protocol";
import { FLEET_SIM_USAGE, runFleetSim } from "./cli/fleet-sim.js";
import { initAgent, openAgentAuth } from "./cli/init.js";
import { listPorts } from "./cli/ports.js";
import { PROBE_USAGE, probe } from "./cli/probe.js";
import { PROFILE_USAGE, runProfileCommand } from "./cli/profile.js";
import { SCAN_USAGE, scan } from "./cli/scan.js";
import { loadConfigFile, printMigratedConfig } from "./config/load.js";
import { serveAgent } from "./serve.js";
import { userCertificateProblems } from "./sources/opcua/user-cert.js";
import { VERSION } from "./version.js";

const USAGE = `Usage: tidegate-agent [--config <file>] [--port <http port>]
       tidegate-agent check --config <file>     validate a config and exit (also: validate <file>)
       tidegate-agent probe --profile <id> --port <host:port | serial device> [--unit <n>]
                                                read a device once; shows values in every byte/word order
       tidegate-agent profile from-csv <table.csv> --id <vendor/model> ...
                                                a device profile from a manual's register table
       tidegate-agent profile check <profile.yaml>...
                                                validate profiles and decode their testdata
       tidegate-agent scan --port <serial device> | --host <host[:port]>
                                                find Modbus devices: baud rates, parity and unit ids
       tidegate-agent ports                     list serial ports with their stable /dev/serial/by-id paths
       tidegate-agent fleet-sim [--count 1000] [--points 50] [--interval-ms 1000] [--nats <urls>]
                                                virtual gateways through the agent's own uplink, for load tests
       tidegate-agent opcua certs|trust <fingerprint> [--config <file>]
                                                OPC UA server certificates: list pending ones, trust one
       tidegate-agent config migrate --config <file>
                                                print the config in the current format (the file is not changed)
       tidegate-agent init --config <file> [--admin <name>] [--password-file <file>]
                                                write a config from the example (if there is none) and create
                                                the first admin of the local dashboard (password printed once)
${AUTH_USAGE("tidegate-agent")}
                  (user and token commands take --config like the service: the users live beside the buffer)

  --config   YAML config (default: ./tidegate-agent.yaml); see agent/config.example.yaml
  --port     overrides http.port from the config
  --version  prints the version`;

/** --config from a subcommand's arguments, with the service's default. */
const configFlag = (args: string[]) => {
  const at = args.findIndex((a) => a === "--config" || a === "-c");
  return at >= 0 && args[at + 1] ? (args[at + 1] as string) : "tidegate-agent.yaml";
};

/**
 * The words the service's own parse accepts (the other commands returned before it): none (run
 * the service), `check` and `config migrate`. Anything else is named, so a typo or a command of a
 * newer agent does not start the service with the default config.
 */
function unknownCommand(positionals: string[]): string | undefined {
  const [first, second] = positionals;
  if (first === undefined) return undefined;
  if (first === "check" && positionals.length === 1) return undefined;
  if (first === "config" && second === "migrate" && positionals.length === 2) return undefined;
  if (first === "config" && second !== undefined) return `config ${second}`;
  return positionals.join(" ");
}

async function main() {
  // The technician's commands have their own options (probe's --port is the device's).
  const [command, ...rest] = process.argv.slice(2);
  if (command === "probe") {
    if (rest.includes("--help") || rest.includes("-h")) return void console.log(PROBE_USAGE);
    process.exitCode = await probe(rest);
    return;
  }
  if (command === "scan") {
    if (rest.includes("--help") || rest.includes("-h")) return void console.log(SCAN_USAGE);
    process.exitCode = await scan(rest);
    return;
  }
  if (command === "fleet-sim") {
    if (rest.includes("--help") || rest.includes("-h")) return void console.log(FLEET_SIM_USAGE);
    process.exitCode = await runFleetSim(rest);
    return;
  }
  if (command === "profile") {
    if (rest.includes("--help") || rest.includes("-h")) return void console.log(PROFILE_USAGE);
    process.exitCode = runProfileCommand(rest);
    return;
  }
  if (command === "opcua") {
    const { OPCUA_USAGE, runOpcuaCommand } = await import("./cli/opcua.js");
    if (rest.includes("--help") || rest.includes("-h")) return void console.log(OPCUA_USAGE);
    process.exitCode = await runOpcuaCommand(rest);
    return;
  }
  if (command === "ports") {
    process.exitCode = await listPorts();
    return;
  }
  if (command === "user" || command === "token") {
    process.exitCode = await runAuthCommand(process.argv.slice(2), () => openAgentAuth(configFlag(rest)));
    return;
  }
  if (command === "init") {
    process.exitCode = await initAgent(rest);
    return;
  }
  if (command === "validate" && rest[0] && !rest[0].startsWith("-")) {
    process.argv.splice(2, 2, "check", "--config", rest[0]);
  }
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      config: { type: "string", short: "c", default: "tidegate-agent.yaml" },
      port: { type: "string" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean" },
    },
  });
  if (values.help) return void console.log(USAGE);
  if (values.version) return void console.log(VERSION);
  const unknown = unknownCommand(positionals);
  if (unknown) {
    console.error(`tidegate-agent: unknown command '${unknown}'\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }

  if (positionals[0] === "config" && positionals[1] === "migrate") {
    const { text, warnings } = printMigratedConfig(values.config);
    for (const w of warnings) console.error(`${values.config}: ${w}`);
    process.stdout.write(text);
    return;
  }
  const loaded = loadConfigFile(values.config);
  if (positionals[0] === "check") {
    for (const w of loaded.warnings) console.log(`warning: ${w}`);
    const problems = userCertificateProblems(loaded.config.devices);
    if (problems.length > 0) {
      for (const p of problems) console.error(`${values.config}: ${p}`);
      process.exitCode = 2;
      return;
    }
    console.log(
      `${values.config}: ok (${loaded.config.devices.length} devices, gateway ${loaded.config.gateway})`,
    );
    // Devices added on the gateway live in devices.d/ beside the file: say which came from where.
    for (const d of loaded.config.devices)
      console.log(`  ${d.id} (${d.profile}) from ${loaded.deviceOrigins[d.id] ?? values.config}`);
    return;
  }
  await serveAgent(loaded, { port: values.port === undefined ? undefined : Number(values.port) });
}

main().catch((err) => {
  const { text, exitCode } = formatCliError(err);
  console.error(text);
  process.exit(exitCode);
});
