import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ModbusRTU from "modbus-serial";
import mqtt from "mqtt";
import { SerialPort } from "serialport";
import { describe, expect, it } from "vitest";
import { startMosquitto } from "../../test/helpers/mosquitto.js";
import { parseCliArgs } from "./cli-options.js";

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, "cli.ts");

function spawnCli(args: string[]): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
}

function finish(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => {
    stdout += d;
  });
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stdout, stderr })));
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = "";
    child.stdout?.on("data", (d) => {
      buf += d;
      if (buf.includes("\n")) resolve(buf.slice(0, buf.indexOf("\n")));
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code} before printing a line`)));
  });
}

describe("argument parsing", () => {
  it("fills defaults and converts numbers", () => {
    expect(parseCliArgs(["modbus-tcp", "--profile", "eastron/sdm120"])).toMatchObject({
      profile: "eastron/sdm120",
      port: 5020,
      host: "127.0.0.1",
      tickMs: 1000,
      unitId: undefined,
      profilesDirs: [],
    });
    expect(parseCliArgs(["modbus-tcp", "--profile", "x/y", "--port", "0", "--unit-id", "7"])).toMatchObject({
      port: 0,
      unitId: 7,
    });
  });
  it("reads an OPC UA server's port, PKI folder, users and user certificates", () => {
    expect(
      parseCliArgs([
        "opcua",
        "--profile",
        "generic/opcua-machine",
        "--user",
        "op:s3:cret",
        "--pki-dir",
        "/tmp/p",
        "--user-cert",
        "/tmp/a.pem",
        "--user-cert",
        "/tmp/b.pem",
      ]),
    ).toMatchObject({
      protocol: "opcua",
      port: 4840,
      pkiDir: "/tmp/p",
      users: [{ username: "op", password: "s3:cret" }],
      userCerts: ["/tmp/a.pem", "/tmp/b.pem"],
    });
    expect(() => parseCliArgs(["opcua", "--profile", "x/y", "--user", "nopassword"])).toThrow(
      /--user must look like operator:secret/,
    );
  });
  it("reads an RTU bus of several slaves", () => {
    expect(
      parseCliArgs([
        "modbus-rtu",
        "--pty",
        "/tmp/bus",
        "--slave",
        "1:eastron/sdm120",
        "--slave",
        "2:sonbest/xy-md02",
      ]),
    ).toMatchObject({
      protocol: "modbus-rtu",
      pty: "/tmp/bus",
      baudRate: 9600,
      slaves: [
        { unitId: 1, profile: "eastron/sdm120" },
        { unitId: 2, profile: "sonbest/xy-md02" },
      ],
    });
  });

  it("reads a fleet of several profiles", () => {
    expect(
      parseCliArgs(["fleet", "--count", "50", "--profile", "eastron/sdm120", "--profile", "sonbest/xy-md02"]),
    ).toMatchObject({
      protocol: "fleet",
      count: 50,
      profiles: ["eastron/sdm120", "sonbest/xy-md02"],
      basePort: 0,
    });
    expect(() => parseCliArgs(["fleet", "--profile", "x/y"])).toThrow(/--count is required/);
    expect(() => parseCliArgs(["modbus-tcp", "--profile", "a/b", "--profile", "c/d"])).toThrow(/use fleet/);
  });

  it("rejects what it cannot use", () => {
    expect(() => parseCliArgs(["--profile", "x/y"])).toThrow(/missing protocol/);
    expect(() => parseCliArgs(["modbus-ascii", "--profile", "x/y"])).toThrow(
      /unknown protocol 'modbus-ascii'/,
    );
    expect(() => parseCliArgs(["modbus-rtu", "--slave", "1:x/y"])).toThrow(/either --device .* or --pty/);
    expect(() => parseCliArgs(["modbus-rtu", "--pty", "/tmp/x"])).toThrow(/at least one --slave/);
    expect(() => parseCliArgs(["modbus-rtu", "--pty", "/tmp/x", "--slave", "x/y"])).toThrow(
      /--slave must look like 1:eastron/,
    );
    expect(() => parseCliArgs(["modbus-tcp"])).toThrow(/--profile is required/);
    expect(() => parseCliArgs(["modbus-tcp", "--profile", "x/y", "--port", "70000"])).toThrow(
      /--port must be/,
    );
    expect(() => parseCliArgs(["modbus-tcp", "--profile", "x/y", "--bogus"])).toThrow(/bogus/);
  });
});

// Each test starts the CLI through tsx, which compiles it first: ~4 s on its own, more on a busy
// machine, so the default 5 s was a coin toss.
describe("tidegate-sim process", { timeout: 30_000 }, () => {
  it("lists the available profiles and exits 2 for an unknown id", async () => {
    const { code, stderr } = await finish(spawnCli(["modbus-tcp", "--profile", "acme/nope", "--port", "0"]));
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /unknown profile 'acme\/nope'; available: [^\n]*eastron\/sdm120, [^\n]*sonbest\/xy-md02/,
    );
  });

  it("exits 2 for a bad command line, with the usage after the message", async () => {
    const { code, stderr } = await finish(spawnCli(["modbus-tcp", "--port", "0"]));
    expect(code).toBe(2);
    expect(stderr).toMatch(/^tidegate-sim: --profile is required\n\nusage: tidegate-sim modbus-tcp /);
  });

  it("serves a profile from --profiles-dir, then stops cleanly on SIGTERM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tidegate-sim-"));
    const sdm = readFileSync(join(here, "..", "..", "firmware-profiles", "eastron", "sdm120.yaml"), "utf8");
    writeFileSync(
      join(dir, "meter.yaml"),
      sdm.replace("id: eastron/sdm120", "id: acme/meter").replace("unitId: 1", "unitId: 9"),
    );
    const child = spawnCli(["modbus-tcp", "--profile", "acme/meter", "--port", "0", "--profiles-dir", dir]);
    const done = finish(child);
    const line = await firstLine(child);
    const match = /^tidegate-sim: modbus-tcp acme\/meter listening on 127\.0\.0\.1:(\d+) \(unit 9\)$/.exec(
      line,
    );
    expect(match, line).not.toBeNull();

    const client = new ModbusRTU();
    await client.connectTCP("127.0.0.1", { port: Number(match?.[1]) });
    client.setID(9);
    const { buffer } = await client.readInputRegisters(72, 2); // import_energy counter, starts at 1520.5
    expect(buffer.readFloatBE(0)).toBeGreaterThanOrEqual(1520.5);

    child.kill("SIGTERM");
    const { code } = await done;
    expect(code).toBe(0);
    await new Promise<void>((resolve) => (client.isOpen ? client.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("fleet serves many devices and prints the agent's devices block", async () => {
    const child = spawnCli([
      "fleet",
      "--count",
      "3",
      "--profile",
      "eastron/sdm120",
      "--profile",
      "sonbest/xy-md02",
    ]);
    const done = finish(child);
    let out = "";
    await new Promise<void>((resolve) =>
      child.stdout?.on("data", (c: Buffer) => {
        out += c.toString();
        if ((out.match(/- \{ id: sim-/g) ?? []).length === 3) resolve();
      }),
    );
    const ports = [
      ...out.matchAll(/profile: (\S+), transport: \{ type: tcp, host: 127\.0\.0\.1, port: (\d+) \}/g),
    ];
    expect(ports.map((m) => m[1])).toEqual(["eastron/sdm120", "sonbest/xy-md02", "eastron/sdm120"]);
    const client = new ModbusRTU();
    await client.connectTCP("127.0.0.1", { port: Number(ports[1]?.[2]) });
    client.setID(1);
    expect((await client.readInputRegisters(1, 2)).data).toHaveLength(2); // the climate sensor's temperature, humidity
    await new Promise<void>((resolve) => client.close(() => resolve()));
    child.kill("SIGTERM");
    expect((await done).code).toBe(0);
  });

  /** Output of a running simulator until `done` says enough. */
  const outputUntil = (child: ChildProcess, done: (out: string) => boolean) =>
    new Promise<string>((resolve) => {
      let out = "";
      child.stdout?.on("data", (c: Buffer) => {
        out += c.toString();
        if (done(out)) resolve(out);
      });
    });

  it("serial-line prints a profile's lines on a PTY it makes, for the agent's end", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tidegate-sim-lines-"));
    const child = spawnCli(["serial-line", "--pty", dir, "--profile", "u-blox/neo-6m", "--tick-ms", "100"]);
    const done = finish(child);
    const out = await outputUntil(child, (o) => /give the agent {2}port: (\S+)/.test(o));
    const agentEnd = /give the agent {2}port: (\S+)/.exec(out)?.[1] as string;
    const port = new SerialPort({ path: agentEnd, baudRate: 9600 });
    let lines = "";
    await new Promise<void>((resolve) =>
      port.on("data", (c: Buffer) => {
        lines += c.toString();
        if (/\$G.GGA,.*\*[0-9A-F]{2}\r\n/.test(lines)) resolve();
      }),
    );
    await new Promise((r) => port.close(r));
    child.kill("SIGTERM");
    expect((await done).code).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it("mqtt publishes a profile's topics to a broker", async () => {
    const broker = await startMosquitto();
    const sub = await mqtt.connectAsync(broker.url);
    await sub.subscribeAsync("shellies/ht-1/#");
    const got = new Promise<string>((resolve) => sub.on("message", (topic) => resolve(topic)));
    const child = spawnCli([
      "mqtt",
      "--url",
      broker.url,
      "--profile",
      "shelly/ht-gen1",
      "--device-id",
      "ht-1",
      "--tick-ms",
      "100",
    ]);
    const done = finish(child);
    expect(await got).toMatch(/^shellies\/ht-1\/sensor\//);
    child.kill("SIGTERM");
    expect((await done).code).toBe(0);
    await sub.endAsync();
    await broker.dispose();
  });

  it("sparkplug runs an edge node: births, then DDATA, on the group's topics", async () => {
    const broker = await startMosquitto();
    const sub = await mqtt.connectAsync(broker.url);
    await sub.subscribeAsync("spBv1.0/plant/#");
    const topics: string[] = [];
    const ddata = new Promise<void>((resolve) =>
      sub.on("message", (topic) => {
        topics.push(topic);
        if (topic.includes("/DDATA/")) resolve();
      }),
    );
    const child = spawnCli([
      "sparkplug",
      "--url",
      broker.url,
      "--group",
      "plant",
      "--edge-node",
      "press-4",
      "--edge-device",
      "meter-1:eastron/sdm120",
      "--tick-ms",
      "100",
    ]);
    const done = finish(child);
    await ddata;
    expect(topics.slice(0, 3)).toEqual([
      "spBv1.0/plant/NBIRTH/press-4",
      "spBv1.0/plant/DBIRTH/press-4/meter-1",
      "spBv1.0/plant/DDATA/press-4/meter-1",
    ]);
    child.kill("SIGTERM");
    expect((await done).code).toBe(0);
    await sub.endAsync();
    await broker.dispose();
  });

  it("sparkplug names what is missing on its command line", () => {
    expect(() =>
      parseCliArgs([
        "sparkplug",
        "--url",
        "mqtt://x",
        "--group",
        "a/b",
        "--edge-node",
        "n",
        "--edge-device",
        "d:x/y",
      ]),
    ).toThrow("--group is required: one topic level, no '/', '+' or '#'");
    expect(() =>
      parseCliArgs(["sparkplug", "--url", "mqtt://x", "--group", "g", "--edge-node", "n"]),
    ).toThrow("at least one --edge-device <id>:<vendor/model> is required");
  });

  it("refuses a profile of the wrong kind for the protocol", async () => {
    const { code, stderr } = await finish(
      spawnCli(["mqtt", "--url", "mqtt://x", "--profile", "eastron/sdm120", "--device-id", "d"]),
    );
    expect(code).toBe(2);
    // Only MQTT profiles are offered: the Modbus and serial-line ones are not.
    expect(stderr).toMatch(
      /unknown profile 'eastron\/sdm120'; available: [^\n]*shelly\/ht-gen1, [^\n]*tasmota\/energy-plug/,
    );
    expect(stderr).not.toMatch(/available: [^\n]*(eastron|sunspec|u-blox)\//);
  });
});
