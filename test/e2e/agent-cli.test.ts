import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadProfiles, type Profile } from "@tidegate/profiles";
import { startModbusRtuSimulator, startModbusTcpSimulator, startPtyPair } from "@tidegate/simulators";
import { SerialPort } from "serialport";
import { afterAll, describe, expect, it } from "vitest";
import { startProcess } from "./helpers/process.js";
import { AGENT_ENV, AGENT_NODE_FLAGS, agentCli } from "./helpers/tidegate.js";

// The technician's commands: check a config, and print an older config in the current format.
// The program never rewrites the user's file.

const dir = mkdtempSync(join(tmpdir(), "tidegate-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...args: string[]) {
  const proc = startProcess("node", [agentCli, ...args]);
  const code = await new Promise((resolve) => proc.child.once("exit", resolve));
  return { code, output: proc.output() };
}

const unversioned = `# line 2, press 1
gateway: line-2
nats: { servers: ["nats://collector:4222"] }
devices:
  - id: meter-1
    profile: eastron/sdm120
    transport: { type: tcp, host: 10.0.0.5 }
`;

describe("tidegate-agent", () => {
  it("launches with the environment and node flags the tests and benchmarks use", () => {
    const shebang = readFileSync(agentCli, "utf8").split("\n")[0];
    const env = Object.entries(AGENT_ENV).map(([name, value]) => `${name}=${value}`);
    expect(shebang).toBe(`#!/usr/bin/env -S ${env.join(" ")} node ${AGENT_NODE_FLAGS.join(" ")}`);
  });

  it("loads the MQTT, serial, OPC UA, Sparkplug, upgrade and CSV libraries only when they are used", () => {
    // Each costs memory for as long as the agent runs (docs/decisions.md 19 and 52). What loads at
    // start is cli.js and the chunks it imports statically, and those chunks' own.
    const atStart = new Set<string>();
    const visit = (file: string) => {
      if (atStart.has(file)) return;
      atStart.add(file);
      const text = readFileSync(join(dirname(agentCli), file), "utf8");
      for (const m of text.matchAll(/^(?:import|\}) [^;]*?from "\.\/([\w-]+\.js)";/gm)) visit(m[1] as string);
    };
    visit("cli.js");
    const bundle = [...atStart].map((f) => readFileSync(join(dirname(agentCli), f), "utf8")).join("\n");
    for (const lib of ["mqtt", "aedes", "serialport"]) {
      expect(bundle).not.toMatch(new RegExp(`^import\\b[^;]*?from "${lib}";`, "m"));
      expect(bundle).toContain(`import("${lib}")`);
    }
    for (const lib of [
      'node-opcua[^"]*',
      '@bufbuild/protobuf[^"]*',
      "tar",
      "@nats-io/obj",
      'csv-stringify[^"]*',
    ])
      expect(bundle).not.toMatch(new RegExp(`^import\\b[^;]*?from "${lib}";`, "m"));
    // node-opcua sits behind the OPC UA source's own chunk, imported when such a device starts.
    expect(bundle).toMatch(/import\("\.\/source-[\w-]+\.js"\)/);
    expect(bundle).toMatch(/import\("\.\/edge-node-[\w-]+\.js"\)/);
  });

  it("names an unknown command and exits 2 instead of starting the service", async () => {
    for (const args of [["frobnicate"], ["config", "upgrade"], ["check", "extra"]]) {
      const { code, output } = await run(...args);
      expect(code).toBe(2);
      expect(output).toContain(`tidegate-agent: unknown command '${args.join(" ")}'`);
      expect(output).toContain("Usage: tidegate-agent");
    }
  });

  it("check accepts a good config and warns about a missing version", async () => {
    const file = join(dir, "check.yaml");
    writeFileSync(file, unversioned);
    const { code, output } = await run("check", "--config", file);
    expect(code).toBe(0);
    expect(output).toMatch(/warning: .*no 'version:' key; read as version 1/);
    expect(output).toMatch(/ok \(1 devices, gateway line-2\)/);
  });

  it("config migrate prints the current form with comments kept and leaves the file alone", async () => {
    const file = join(dir, "migrate.yaml");
    writeFileSync(file, unversioned);
    const { code, output } = await run("config", "migrate", "--config", file);
    expect(code).toBe(0);
    expect(output).toMatch(/^version: 1$/m);
    expect(output).toMatch(/# line 2, press 1/);
    expect(readFileSync(file, "utf8")).toBe(unversioned);
  });

  it("refuses a config written for a newer agent, naming the file", async () => {
    const file = join(dir, "newer.yaml");
    writeFileSync(file, `version: 9\n${unversioned}`);
    const { code, output } = await run("check", "--config", file);
    expect(code).toBe(2);
    expect(output).toContain(`${file}: invalid config`);
    expect(output).toMatch(/at version: this config is version 9, written for a newer Tidegate/);
  });

  it("probe reads a device on a serial bus once and prints its values with the profile lines", async () => {
    const pty = await startPtyPair(dir, "probe");
    const profiles = loadProfiles();
    const sim = await startModbusRtuSimulator({
      path: pty.deviceEnd,
      slaves: [{ unitId: 3, profile: profiles.get("eastron/sdm120") as Profile, seed: 5 }],
    });
    try {
      sim.slave(3).set("voltage", 230.5);
      const { code, output } = await run(
        "probe",
        "--profile",
        "eastron/sdm120",
        "--port",
        pty.agentEnd,
        "--unit",
        "3",
      );
      expect(code, output).toBe(0);
      expect(output).toMatch(/^voltage\s+230\.5 V\s+\[4366 8000\]$/m);
      expect(output).toMatch(
        /\* ABCD {2}230\.5\s+register: \{ table: input, address: 0, type: float32, order: ABCD \}/,
      );
    } finally {
      await sim.close();
      await pty.close();
    }
  });

  it("probe reads a device behind a serial device server (RTU frames over TCP)", async () => {
    const pty = await startPtyPair(dir, "server");
    const sim = await startModbusRtuSimulator({
      path: pty.deviceEnd,
      slaves: [{ unitId: 4, profile: loadProfiles().get("sonbest/xy-md02") as Profile, seed: 6 }],
    });
    // A serial device server: TCP bytes in, the same bytes out on the serial line, and back.
    const line = new SerialPort({ path: pty.agentEnd, baudRate: 9600 });
    await new Promise((r) => line.once("open", r));
    const server = createServer((socket) => {
      const toSocket = (d: Buffer) => socket.write(d);
      line.on("data", toSocket);
      socket.on("data", (d) => line.write(d));
      socket.on("close", () => line.off("data", toSocket));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    try {
      sim.slave(4).set("temperature", 19.5);
      const { code, output } = await run(
        "probe",
        "--profile",
        "sonbest/xy-md02",
        "--port",
        `127.0.0.1:${port}`,
        "--rtu-over-tcp",
        "--unit",
        "4",
      );
      expect(code, output).toBe(0);
      expect(output).toMatch(/at 127\.0\.0\.1:\d+, unit 4/);
      expect(output).toMatch(/^temperature\s+19\.5 °C/m);
    } finally {
      await new Promise((r) => server.close(r));
      await new Promise((r) => line.close(r));
      await sim.close();
      await pty.close();
    }
  });

  it("probe finds a SunSpec meter's model in its chain and names the meter models it lacks", async () => {
    const meter = loadProfiles().get("sunspec/meter") as Profile;
    // A wye meter as one publishes it: the common model and model 203 only, the chain at 40000.
    const kept = (m: number | undefined) => m === 1 || m === 203;
    const sim = await startModbusTcpSimulator({
      profile: {
        ...meter,
        sunspec: { bases: [40000], models: (meter.sunspec?.models ?? []).filter((m) => kept(m.id)) },
        points: meter.points.filter((p) => kept(p.register.model)),
      },
      port: 0,
      tickMs: 3_600_000,
    });
    try {
      sim.set("m203_v_sf", -1);
      sim.set("m203_phvpha", 231.4);
      sim.set("m1_sn", "MTR-0203");
      const { code, output } = await run(
        "probe",
        "--profile",
        "sunspec/meter",
        "--port",
        `127.0.0.1:${sim.port}`,
      );
      // The models the meter does not publish are listed, once each, and are no failed read.
      expect(code, output).toBe(0);
      expect(output).toMatch(/^m1_sn\s+MTR-0203 /m);
      // Probe shows a scaled point's raw register: 231.4 V at V_SF = -1 is 2314 (0x090a).
      expect(output).toMatch(/^m203_phvpha\s+2314 V\s+\[090a\]/m);
      expect(output).toMatch(
        /^SunSpec model 201: the device publishes no SunSpec model 201 \(m201_a, m201_apha, .*m201_evt\)$/m,
      );
      expect(output.match(/^SunSpec model \d+:/gm)).toEqual([
        "SunSpec model 201:",
        "SunSpec model 202:",
        "SunSpec model 204:",
        "SunSpec model 211:",
        "SunSpec model 212:",
        "SunSpec model 213:",
        "SunSpec model 214:",
      ]);
    } finally {
      await sim.close();
    }
  });

  it("probe says plainly when the device does not answer", async () => {
    const pty = await startPtyPair(dir, "silent");
    try {
      const { code, output } = await run(
        "probe",
        "--profile",
        "sonbest/xy-md02",
        "--port",
        pty.agentEnd,
        "--unit",
        "9",
        "--timeout-ms",
        "200",
      );
      expect(code).toBe(1);
      expect(output).toMatch(/input 1\+2: timeout after 200 ms \(temperature, humidity\)/);
    } finally {
      await pty.close();
    }
  });

  it("ports lists serial ports or says none were found", async () => {
    const { code, output } = await run("ports");
    expect(code).toBe(0);
    expect(output).toMatch(/use in the config: |no serial ports found/);
  });
});
