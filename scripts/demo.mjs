// `npm run demo`: nats-server, two simulated Modbus devices, the collector and the agent, all on
// this machine, with state under .tidegate/. Ctrl-C stops everything. Ports can be overridden:
// TIDEGATE_AGENT_PORT (8090), TIDEGATE_COLLECTOR_PORT (8080), TIDEGATE_NATS_PORT (4222),
// TIDEGATE_SIM_PORT (5020; the second device uses the next port).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const state = join(root, ".tidegate");
const port = (name, fallback) => Number(process.env[name] ?? fallback);
const ports = {
  agent: port("TIDEGATE_AGENT_PORT", 8090),
  collector: port("TIDEGATE_COLLECTOR_PORT", 8080),
  nats: port("TIDEGATE_NATS_PORT", 4222),
  meter: port("TIDEGATE_SIM_PORT", 5020),
};
ports.climate = ports.meter + 1;
ports.mqtt = port("TIDEGATE_MQTT_PORT", 1883);

function isFree(p) {
  return new Promise((resolve) => {
    const srv = createServer().once("error", () => resolve(false));
    srv.listen(p, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

function reachable(p) {
  return new Promise((resolve) => {
    const s = createConnection({ port: p, host: "127.0.0.1" }, () => {
      s.destroy();
      resolve(true);
    }).once("error", () => resolve(false));
  });
}

const children = [];
function run(name, command, args, env = {}) {
  const child = spawn(command, args, {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  const prefix = `[${name}] `;
  const show = (chunk) => {
    for (const line of chunk.toString().split("\n")) {
      if (!line.trim()) continue;
      // Show warnings and errors; info lines are in the logs under .tidegate/.
      if (!line.startsWith("{") || /"level":(40|50|60)/.test(line))
        process.stderr.write(`${prefix}${line}\n`);
    }
  };
  child.stdout.on("data", show);
  child.stderr.on("data", show);
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`${prefix}exited (${signal ?? code}); stopping the demo`);
      void stop(1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  console.log("\nstopping demo…");
  for (const c of [...children].reverse()) {
    if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
  }
  await Promise.all(
    children.map((c) =>
      c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once("exit", r)),
    ),
  );
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

async function waitUntil(what, check, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
}

for (const [name, p] of Object.entries(ports)) {
  if (!(await isFree(p))) {
    console.error(
      `demo: port ${p} (${name}) is in use. Stop what uses it or set TIDEGATE_${name.toUpperCase()}_PORT.`,
    );
    process.exit(1);
  }
}

mkdirSync(join(state, "nats"), { recursive: true });
mkdirSync(join(state, "agent"), { recursive: true });
// Virtual serial cables (socat PTY pairs): an RS-485 bus with a meter, and a GPS printing NMEA.
const serial = join(state, "serial");
mkdirSync(serial, { recursive: true });
const agentConfig = join(state, "agent", "tidegate-agent.yaml");
writeFileSync(
  agentConfig,
  `# Written by npm run demo; see agent/config.example.yaml for every option.
version: 1
gateway: demo-plant
http: { port: ${ports.agent} }
nats: { servers: ["nats://127.0.0.1:${ports.nats}"], heartbeatIntervalMs: 2000 }
buffer: { path: buffer.db }
devices:
  - id: main-meter
    profile: eastron/sdm120
    transport: { type: tcp, host: 127.0.0.1, port: ${ports.meter} }
    pollIntervalMs: 1000
  - id: hall-climate
    profile: sonbest/xy-md02
    transport: { type: tcp, host: 127.0.0.1, port: ${ports.climate} }
    pollIntervalMs: 2000
  - id: line-meter
    profile: eastron/sdm120
    transport: { type: rtu, port: ${join(serial, "bus-agent")}, baudRate: 9600 }
    unitId: 1
    pollIntervalMs: 2000
  - id: yard-gps
    profile: u-blox/neo-6m
    transport: { type: serial, port: ${join(serial, "line-agent")} }
mqtt:
  broker:
    embedded:
      port: ${ports.mqtt}
      users: [{ username: ht-office, password: demo-only, publish: ["shellies/ht-office/#"] }]
  devices:
    - profile: shelly/ht-gen1
rules:
  - { id: high-voltage, point: voltage, type: threshold, above: 238, hysteresis: 2, forS: 5, severity: warning }
  - { id: climate-silent, point: temperature, device: hall-climate, type: stale, afterS: 30, severity: critical }
`,
);

// Sign-in for the demo: an admin whose password is made on first run, and an API token that both
// programs accept, for scripts and checks (Authorization: Bearer $(cat .tidegate/demo-token)).
// Kept across runs, so a signed-in browser stays signed in.
const secret = (file, make) => {
  if (!existsSync(file)) writeFileSync(file, `${make()}\n`, { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
};
const demoPassword = secret(join(state, "demo-admin-password"), () => randomBytes(9).toString("base64url"));
const demoToken = join(state, "demo-token");
secret(demoToken, () => `tg_${randomBytes(24).toString("base64url")}`);
const accounts = {
  TIDEGATE_ADMIN_USER: "admin",
  TIDEGATE_ADMIN_PASSWORD_FILE: join(state, "demo-admin-password"),
  TIDEGATE_API_TOKEN_FILE: demoToken,
};

run("nats", "nats-server", ["-js", "-sd", join(state, "nats"), "-a", "127.0.0.1", "-p", String(ports.nats)]);
await waitUntil("nats-server", () => reachable(ports.nats));
const sim = join(root, "simulators/dist/cli.js");
run("sim meter", "node", [sim, "modbus-tcp", "--profile", "eastron/sdm120", "--port", String(ports.meter)]);
run("sim climate", "node", [
  sim,
  "modbus-tcp",
  "--profile",
  "sonbest/xy-md02",
  "--port",
  String(ports.climate),
]);
await waitUntil("simulators", async () => (await reachable(ports.meter)) && (await reachable(ports.climate)));
run("sim rs485", "node", [
  sim,
  "modbus-rtu",
  "--pty",
  serial,
  "--slave",
  "1:eastron/sdm120",
  "--tick-ms",
  "2000",
]);
run("sim gps", "node", [sim, "serial-line", "--pty", serial, "--profile", "u-blox/neo-6m"]);
run(
  "collector",
  "node",
  [
    join(root, "collector/dist/cli.js"),
    "--port",
    String(ports.collector),
    "--nats",
    `nats://127.0.0.1:${ports.nats}`,
    "--data-dir",
    join(state, "collector"),
  ],
  accounts,
);
// The memory settings of the agent's own #! line (docs/decisions.md 19), which a plain node call bypasses.
run(
  "agent",
  "node",
  [
    "--max-semi-space-size=1",
    "--optimize-for-size",
    join(root, "agent/dist/cli.js"),
    "--config",
    agentConfig,
  ],
  { ...accounts, MALLOC_ARENA_MAX: "1" },
);
const ok = (url) => fetch(url).then((r) => r.ok);
await waitUntil("collector", () => ok(`http://127.0.0.1:${ports.collector}/api/v1/info`));
await waitUntil("agent", () => ok(`http://127.0.0.1:${ports.agent}/api/v1/info`));
await waitUntil("the agent's MQTT broker", () => reachable(ports.mqtt));
run("sim mqtt", "node", [
  sim,
  "mqtt",
  "--url",
  `mqtt://127.0.0.1:${ports.mqtt}`,
  "--profile",
  "shelly/ht-gen1",
  "--device-id",
  "ht-office",
  "--username",
  "ht-office",
  "--password",
  "demo-only",
  "--tick-ms",
  "5000",
]);

console.log(`
Tidegate demo is running (state in .tidegate/):
  Fleet dashboard (collector):  http://localhost:${ports.collector}/
  Local dashboard (agent):      http://localhost:${ports.agent}/
  Sign in (both):               admin / ${demoPassword}
  API token (both, admin):      .tidegate/demo-token — curl -H "Authorization: Bearer $(cat .tidegate/demo-token)" http://localhost:${ports.collector}/api/v1/gateways
  NATS JetStream:               nats://127.0.0.1:${ports.nats}
  Simulated devices:            Eastron SDM120 on :${ports.meter}, XY-MD02 on :${ports.climate} (Modbus TCP),
                                an SDM120 on an RS-485 bus and a u-blox GPS (virtual serial cables in .tidegate/serial),
                                a Shelly H&T on the agent's MQTT broker (:${ports.mqtt})
  Edge rules:                   high-voltage (above 238 V), climate-silent (no reading for 30 s)
Press Ctrl-C to stop.`);
