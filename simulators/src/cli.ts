#!/usr/bin/env node
import { mkdirSync, readFileSync } from "node:fs";
import {
  type AnyProfile,
  findBundledProfilesDir,
  type LineProfile,
  loadProfiles,
  type MqttProfile,
  type OpcuaProfile,
  type Profile,
} from "@tidegate/profiles";
import { formatCliError } from "@tidegate/protocol";
import {
  type CliOptions,
  type FleetCliOptions,
  type MqttCliOptions,
  type OpcuaCliOptions,
  parseCliArgs,
  type RtuCliOptions,
  type SerialLineCliOptions,
  type SparkplugCliOptions,
  type TcpCliOptions,
  UsageError,
  usage,
} from "./cli-options.js";
import { startModbusRtuSimulator } from "./modbus-rtu.js";
import { type ModbusTcpSimulator, startModbusTcpSimulator } from "./modbus-tcp.js";
import { startMqttPublisher } from "./mqtt.js";
import { type PtyPair, startPtyPair } from "./pty/pty-pair.js";
import { startSerialLineSimulator } from "./serial-line.js";
import { startSparkplugEdgeNode } from "./sparkplug/edge-node.js";

function fail(message: string, code: number): never {
  process.stderr.write(`tidegate-sim: ${message}\n`);
  process.exit(code);
}

/** The profile the command serves; it must be of the kind the protocol speaks. */
function profileFor(id: string, opts: CliOptions): AnyProfile {
  // findBundledProfilesDir searches upward from wherever this code runs (src/ or the bundle in dist/),
  // so it finds dist/profiles or the checkout's firmware-profiles/; --profiles-dir adds to it.
  const dirs = [findBundledProfilesDir(), ...opts.profilesDirs];
  const profiles = loadProfiles(dirs);
  const kind =
    opts.protocol === "serial-line" || opts.protocol === "mqtt" || opts.protocol === "opcua"
      ? opts.protocol
      : "modbus";
  const profile = profiles.get(id);
  if (profile?.kind !== kind) {
    const ids = [...profiles.values()]
      .filter((p) => p.kind === kind)
      .map((p) => p.id)
      .sort();
    throw new UsageError(
      `unknown profile '${id}'; available: ${ids.join(", ") || "(none)"} (from ${dirs.join(", ")})`,
    );
  }
  return profile;
}

/** Stops on SIGINT/SIGTERM; if anything still holds the event loop after close, a supervisor's stop does not hang. */
function stopOnSignal(close: () => Promise<unknown>) {
  const stop = () => {
    setTimeout(() => process.exit(0), 2000).unref();
    void close();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

async function serveTcp(opts: TcpCliOptions, profile: Profile) {
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
  stopOnSignal(() => sim.close());
}

async function serveRtu(opts: RtuCliOptions, profiles: Profile[]) {
  let pty: PtyPair | undefined;
  if (opts.pty) {
    mkdirSync(opts.pty, { recursive: true });
    pty = await startPtyPair(opts.pty).catch((err: Error) => fail(err.message, 1));
  }
  const path = pty?.deviceEnd ?? (opts.device as string);
  const sim = await startModbusRtuSimulator({
    path,
    baudRate: opts.baudRate,
    tickMs: opts.tickMs,
    slaves: opts.slaves.map((s, i) => ({
      unitId: s.unitId,
      profile: profiles[i] as Profile,
      seed: opts.seed === undefined ? undefined : opts.seed + i,
    })),
  }).catch((err: Error) => fail(`cannot open ${path}: ${err.message}`, 1));
  const who = opts.slaves.map((s) => `unit ${s.unitId} ${s.profile}`).join(", ");
  process.stdout.write(`tidegate-sim: modbus-rtu on ${path} at ${opts.baudRate} baud: ${who}\n`);
  if (pty) process.stdout.write(`tidegate-sim: give the agent  port: ${pty.agentEnd}\n`);
  stopOnSignal(async () => {
    await sim.close();
    await pty?.close();
  });
}

async function serveFleet(opts: FleetCliOptions, profiles: Profile[]) {
  const sims: ModbusTcpSimulator[] = [];
  stopOnSignal(() => Promise.all(sims.map((s) => s.close())));
  for (let i = 0; i < opts.count; i++) {
    const profile = profiles[i % profiles.length] as Profile;
    const port = opts.basePort === 0 ? 0 : opts.basePort + i;
    sims.push(
      await startModbusTcpSimulator({
        profile,
        port,
        host: opts.host,
        tickMs: opts.tickMs,
        seed: opts.seed === undefined ? undefined : opts.seed + i,
      }).catch((err: Error) =>
        fail(`device ${i + 1}: cannot listen on ${opts.host}:${port}: ${err.message}`, 1),
      ),
    );
  }
  process.stdout.write(
    `tidegate-sim: fleet of ${sims.length} Modbus TCP devices; for the agent's config:\ndevices:\n`,
  );
  const lines = sims.map(
    (s, i) =>
      `  - { id: sim-${i + 1}, profile: ${s.profile.id}, transport: { type: tcp, host: ${s.host}, port: ${s.port} } }\n`,
  );
  process.stdout.write(lines.join(""));
}

async function serveLines(opts: SerialLineCliOptions, profile: LineProfile) {
  let pty: PtyPair | undefined;
  if (opts.pty) {
    mkdirSync(opts.pty, { recursive: true });
    pty = await startPtyPair(opts.pty, "line").catch((err: Error) => fail(err.message, 1));
  }
  const path = pty?.deviceEnd ?? (opts.device as string);
  const sim = await startSerialLineSimulator({
    path,
    profile,
    intervalMs: opts.tickMs,
    seed: opts.seed,
  }).catch((err: Error) => fail(`cannot open ${path}: ${err.message}`, 1));
  process.stdout.write(
    `tidegate-sim: serial-line ${profile.id} printing on ${path} every ${opts.tickMs} ms\n`,
  );
  if (pty) process.stdout.write(`tidegate-sim: give the agent  port: ${pty.agentEnd}\n`);
  stopOnSignal(async () => {
    await sim.close();
    await pty?.close();
  });
}

async function publishMqtt(opts: MqttCliOptions, profile: MqttProfile) {
  const pub = await startMqttPublisher({
    url: opts.url,
    profile,
    deviceId: opts.deviceId,
    intervalMs: opts.tickMs,
    seed: opts.seed,
    username: opts.username,
    password: opts.password,
  }).catch((err: Error) => fail(`cannot publish to ${opts.url}: ${err.message}`, 1));
  process.stdout.write(
    `tidegate-sim: mqtt ${profile.id} as ${opts.deviceId} publishing to ${opts.url} every ${opts.tickMs} ms\n`,
  );
  stopOnSignal(() => pub.close());
}

async function serveSparkplug(opts: SparkplugCliOptions, profiles: Profile[]) {
  const node = await startSparkplugEdgeNode({
    url: opts.url,
    group: opts.group,
    edgeNode: opts.edgeNode,
    devices: opts.devices.map((d, i) => ({ id: d.id, profile: profiles[i] as Profile })),
    intervalMs: opts.tickMs,
    seed: opts.seed,
    username: opts.username,
    password: opts.password,
  }).catch((err: Error) => fail(`cannot connect to ${opts.url}: ${err.message}`, 1));
  process.stdout.write(
    `tidegate-sim: sparkplug edge node spBv1.0/${opts.group}/+/${opts.edgeNode} with ${opts.devices.map((d) => d.id).join(", ")} on ${opts.url} every ${opts.tickMs} ms\n`,
  );
  stopOnSignal(() => node.close());
}

async function serveOpcua(opts: OpcuaCliOptions, profile: OpcuaProfile) {
  // node-opcua takes seconds to load: only the opcua command pays for it.
  const { startOpcuaSimulator } = await import("./opcua.js");
  const sim = await startOpcuaSimulator({
    profile,
    port: opts.port,
    pkiDir: opts.pkiDir,
    tickMs: opts.tickMs,
    seed: opts.seed,
    users: opts.users,
    userCertificates: opts.userCerts.map((file) => {
      try {
        return readFileSync(file, "utf8");
      } catch (err) {
        return fail(`--user-cert: cannot read ${file} (${(err as NodeJS.ErrnoException).code})`, 2);
      }
    }),
  }).catch((err: Error) => fail(`cannot serve OPC UA on port ${opts.port}: ${err.message}`, 1));
  process.stdout.write(
    `tidegate-sim: opcua ${profile.id} listening on ${sim.endpointUrl} (certificate SHA-1 ${sim.fingerprint})\n`,
  );
  stopOnSignal(() => sim.close());
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const opts = parseCliArgs(argv);
  const ids =
    opts.protocol === "fleet"
      ? opts.profiles
      : opts.protocol === "modbus-rtu"
        ? opts.slaves.map((s) => s.profile)
        : opts.protocol === "sparkplug"
          ? opts.devices.map((d) => d.profile)
          : [opts.profile];
  const profiles = ids.map((id) => profileFor(id, opts));
  const modbus = profiles as Profile[]; // profileFor checked each profile's kind against the protocol
  if (opts.protocol === "modbus-tcp") await serveTcp(opts, modbus[0] as Profile);
  else if (opts.protocol === "fleet") await serveFleet(opts, modbus);
  else if (opts.protocol === "modbus-rtu") await serveRtu(opts, modbus);
  else if (opts.protocol === "serial-line") await serveLines(opts, profiles[0] as LineProfile);
  else if (opts.protocol === "opcua") await serveOpcua(opts, profiles[0] as OpcuaProfile);
  else if (opts.protocol === "sparkplug") await serveSparkplug(opts, modbus);
  else await publishMqtt(opts, profiles[0] as MqttProfile);
}

main(process.argv.slice(2)).catch((err) => {
  const { text, exitCode } = formatCliError(err);
  fail(text, exitCode);
});
