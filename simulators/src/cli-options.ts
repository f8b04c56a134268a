import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { TidegateError } from "@tidegate/protocol";

export const usage = `usage: tidegate-sim modbus-tcp --profile <vendor/model> [--port 5020] [--host 127.0.0.1]
                    [--unit-id <n>] [--tick-ms 1000] [--seed <n>] [--profiles-dir <dir>]...
       tidegate-sim modbus-rtu (--device <serial device> | --pty <dir>) --slave <unit>:<vendor/model>...
                    [--baud 9600] [--tick-ms 1000] [--seed <n>] [--profiles-dir <dir>]...
         --pty <dir>  makes a virtual serial cable with socat and prints the end to give the agent
       tidegate-sim fleet --count <n> --profile <vendor/model>... [--base-port 5100] [--host 127.0.0.1]
                    [--tick-ms 1000] [--seed <n>] [--profiles-dir <dir>]...
         many Modbus TCP devices at once (profiles alternating, one port each) for load tests;
         prints the agent's devices: block
       tidegate-sim serial-line (--device <serial device> | --pty <dir>) --profile <vendor/model>
                    [--tick-ms 1000] [--seed <n>] [--profiles-dir <dir>]...
         an instrument that prints lines (NMEA GPS, scale) on a serial port
       tidegate-sim mqtt --url <mqtt://host:1883> --profile <vendor/model> --device-id <id>
                    [--username <u> --password <p>] [--tick-ms 1000] [--seed <n>] [--profiles-dir <dir>]...
         an MQTT device publishing to a broker (the agent's embedded one, or mosquitto)
       tidegate-sim opcua --profile <vendor/model> [--port 4840] [--pki-dir <dir>] [--user <name>:<password>]...
                    [--user-cert <user.pem>]... [--tick-ms 1000] [--seed <n>] [--profiles-dir <dir>]...
         an OPC UA server (a PLC) serving the profile's points; security None, Sign and SignAndEncrypt;
         anonymous unless --user or --user-cert is given (then only those users and user certificates); its certificate is kept in --pki-dir (default ./opcua-sim-pki)
       tidegate-sim sparkplug --url <mqtt://host:1883> --group <id> --edge-node <id>
                    --edge-device <id>:<vendor/model>... [--username <u> --password <p>]
                    [--tick-ms 1000] [--seed <n>] [--profiles-dir <dir>]...
         a Sparkplug B edge node whose devices' metrics are Modbus profiles' simulated points`;

/** Bad command line or profile choice: the CLI exits with code 2. */
export class UsageError extends TidegateError {
  override name = "UsageError";
  readonly code = "usage";
  override readonly hint = usage;
}

interface CommonOptions {
  tickMs: number;
  seed?: number;
  profilesDirs: string[];
}

export interface TcpCliOptions extends CommonOptions {
  protocol: "modbus-tcp";
  profile: string;
  port: number;
  host: string;
  unitId?: number;
}

export interface RtuCliOptions extends CommonOptions {
  protocol: "modbus-rtu";
  /** Serve on this serial device, or make a PTY pair in `pty`. */
  device?: string;
  pty?: string;
  slaves: { unitId: number; profile: string }[];
  baudRate: number;
}

export interface FleetCliOptions extends CommonOptions {
  protocol: "fleet";
  count: number;
  profiles: string[];
  /** First port; 0 picks free ports. */
  basePort: number;
  host: string;
}

export interface SerialLineCliOptions extends CommonOptions {
  protocol: "serial-line";
  profile: string;
  device?: string;
  pty?: string;
}

export interface MqttCliOptions extends CommonOptions {
  protocol: "mqtt";
  profile: string;
  url: string;
  deviceId: string;
  username?: string;
  password?: string;
}

export interface OpcuaCliOptions extends CommonOptions {
  protocol: "opcua";
  profile: string;
  port: number;
  pkiDir: string;
  users: { username: string; password: string }[];
  /** PEM files of the only user certificates that may sign in (`--user-cert`, repeatable). */
  userCerts: string[];
}

export interface SparkplugCliOptions extends CommonOptions {
  protocol: "sparkplug";
  url: string;
  group: string;
  edgeNode: string;
  devices: { id: string; profile: string }[];
  username?: string;
  password?: string;
}

export type CliOptions =
  | SparkplugCliOptions
  | OpcuaCliOptions
  | TcpCliOptions
  | RtuCliOptions
  | FleetCliOptions
  | SerialLineCliOptions
  | MqttCliOptions;
const PROTOCOLS = ["modbus-tcp", "modbus-rtu", "fleet", "serial-line", "mqtt", "opcua", "sparkplug"] as const;

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
  if (!PROTOCOLS.includes(protocol as (typeof PROTOCOLS)[number]) || extra.length > 0) {
    throw new UsageError(
      protocol === undefined ? "missing protocol" : `unknown protocol '${[protocol, ...extra].join(" ")}'`,
    );
  }
  const common: CommonOptions = {
    tickMs: int("tick-ms", values["tick-ms"], 1, 86_400_000) ?? 1000,
    seed: int("seed", values.seed, 0, 2 ** 32 - 1),
    profilesDirs: (values["profiles-dir"] ?? []).map((d) => resolve(d)),
  };
  if (protocol === "serial-line" || protocol === "mqtt") {
    const [profile, ...more] = values.profile ?? [];
    if (!profile || more.length > 0) throw new UsageError("give one --profile");
    if (protocol === "serial-line") {
      if (!values.device === !values.pty)
        throw new UsageError("give either --device <serial device> or --pty <dir>");
      return {
        protocol,
        ...common,
        profile,
        ...(values.device ? { device: values.device } : { pty: resolve(values.pty as string) }),
      };
    }
    if (!values.url) throw new UsageError("--url is required, e.g. mqtt://127.0.0.1:1883");
    if (!values["device-id"]) throw new UsageError("--device-id is required (it goes in the topic)");
    return {
      protocol,
      ...common,
      profile,
      url: values.url,
      deviceId: values["device-id"],
      ...(values.username ? { username: values.username } : {}),
      ...(values.password ? { password: values.password } : {}),
    };
  }
  if (protocol === "sparkplug") {
    if (!values.url) throw new UsageError("--url is required, e.g. mqtt://127.0.0.1:1883");
    const level = (name: "group" | "edge-node") => {
      const v = values[name];
      if (!v || /[/+#]/.test(v))
        throw new UsageError(`--${name} is required: one topic level, no '/', '+' or '#'`);
      return v;
    };
    const devices = (values["edge-device"] ?? []).map((text) => {
      const m = /^([^:/+#]+):(.+)$/.exec(text);
      if (!m) throw new UsageError(`--edge-device must look like meter-1:eastron/sdm120, got '${text}'`);
      return { id: m[1] as string, profile: m[2] as string };
    });
    if (devices.length === 0)
      throw new UsageError("at least one --edge-device <id>:<vendor/model> is required");
    return {
      protocol,
      ...common,
      url: values.url,
      group: level("group"),
      edgeNode: level("edge-node"),
      devices,
      ...(values.username ? { username: values.username } : {}),
      ...(values.password ? { password: values.password } : {}),
    };
  }
  if (protocol === "opcua") {
    const [profile, ...more] = values.profile ?? [];
    if (!profile || more.length > 0) throw new UsageError("give one --profile");
    const users = (values.user ?? []).map((text) => {
      const m = /^([^:]+):(.+)$/.exec(text);
      if (!m) throw new UsageError(`--user must look like operator:secret, got '${text}'`);
      return { username: m[1] as string, password: m[2] as string };
    });
    return {
      protocol,
      ...common,
      profile,
      port: int("port", values.port, 0, 65535) ?? 4840,
      pkiDir: resolve(values["pki-dir"] ?? "opcua-sim-pki"),
      users,
      userCerts: (values["user-cert"] ?? []).map((f) => resolve(f)),
    };
  }
  if (protocol === "fleet") {
    const count = int("count", values.count, 1, 10_000);
    if (count === undefined) throw new UsageError("--count is required");
    const profiles = values.profile ?? [];
    if (profiles.length === 0)
      throw new UsageError("--profile is required (give it several times to alternate)");
    return {
      protocol,
      ...common,
      count,
      profiles,
      basePort: int("base-port", values["base-port"], 0, 65535) ?? 0,
      host: values.host ?? "127.0.0.1",
    };
  }
  if (protocol === "modbus-rtu") {
    if (!values.device === !values.pty)
      throw new UsageError("give either --device <serial device> or --pty <dir>");
    const slaves = (values.slave ?? []).map((text) => {
      const m = /^(\d+):(.+)$/.exec(text);
      if (!m) throw new UsageError(`--slave must look like 1:eastron/sdm120, got '${text}'`);
      return { unitId: int("slave", m[1], 1, 247) as number, profile: m[2] as string };
    });
    if (slaves.length === 0) throw new UsageError("at least one --slave <unit>:<vendor/model> is required");
    return {
      protocol,
      ...common,
      ...(values.device ? { device: values.device } : { pty: resolve(values.pty as string) }),
      slaves,
      baudRate: int("baud", values.baud, 300, 4_000_000) ?? 9600,
    };
  }
  const [profile, ...more] = values.profile ?? [];
  if (!profile) throw new UsageError("--profile is required");
  if (more.length > 0) throw new UsageError("modbus-tcp serves one --profile; use fleet for several devices");
  return {
    protocol: "modbus-tcp",
    ...common,
    profile,
    port: int("port", values.port, 0, 65535) ?? 5020,
    host: values.host ?? "127.0.0.1",
    unitId: int("unit-id", values["unit-id"], 0, 255),
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      profile: { type: "string", multiple: true },
      port: { type: "string" },
      host: { type: "string" },
      "unit-id": { type: "string" },
      "tick-ms": { type: "string" },
      seed: { type: "string" },
      "profiles-dir": { type: "string", multiple: true },
      device: { type: "string" },
      pty: { type: "string" },
      slave: { type: "string", multiple: true },
      baud: { type: "string" },
      count: { type: "string" },
      url: { type: "string" },
      "pki-dir": { type: "string" },
      user: { type: "string", multiple: true },
      "user-cert": { type: "string", multiple: true },
      "device-id": { type: "string" },
      username: { type: "string" },
      password: { type: "string" },
      "base-port": { type: "string" },
      group: { type: "string" },
      "edge-node": { type: "string" },
      "edge-device": { type: "string", multiple: true },
    },
  });
}
