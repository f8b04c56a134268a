import { execFileSync } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../e2e/helpers/ports.js";
import { type RunningProcess, startProcess } from "../e2e/helpers/process.js";
import { waitFor } from "../e2e/helpers/wait.js";
import { opensslEnv } from "./user-certificate.js";

/**
 * A real mosquitto on free loopback ports with a generated config in a temporary folder: users in a
 * password file (when mosquitto_passwd exists; otherwise anonymous access and `authEnforced: false`),
 * and optionally a TLS listener with a CA, server and client certificates made by openssl.
 * stop()/start() restart it on the same ports; dispose() kills it and deletes the folder.
 */

export interface MosquittoOptions {
  /** Users that may log in; none: anonymous clients are allowed. */
  users?: { username: string; password: string }[];
  /** Adds a TLS listener; requireCertificate makes clients present a certificate signed by the CA. */
  tls?: boolean | { requireCertificate?: boolean };
  /**
   * Keeps sessions across stop()/start() (saved in the temporary folder), QoS 0 messages included:
   * a subscriber with a persistent session misses nothing while the broker restarts.
   */
  persistent?: boolean;
}

export interface TestCertificates {
  dir: string;
  /** PEM file paths. */
  ca: string;
  clientCert: string;
  clientKey: string;
}

export interface Mosquitto {
  port: number;
  url: string;
  tlsPort?: number;
  tlsUrl?: string;
  certs?: TestCertificates;
  /** False when mosquitto_passwd is missing and the broker lets anyone in. */
  authEnforced: boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
  output(): string;
  dispose(): Promise<void>;
}

function findBinary(name: string, dirs: string[]): string | undefined {
  for (const dir of [...(process.env.PATH ?? "").split(":"), ...dirs]) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {}
  }
  return undefined;
}

const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"], env: opensslEnv() });

/** A throwaway CA, a server certificate for localhost/127.0.0.1 and a client certificate (P-256 keys: fast). */
export function makeTestCertificates(
  dir: string,
): TestCertificates & { serverCert: string; serverKey: string } {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  run(
    "openssl",
    [
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-days",
      "2",
      "-subj",
      "/CN=Tidegate test CA",
    ].concat([
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]),
    dir,
  );
  const issue = (name: string, cn: string, ext: string) => {
    run(
      "openssl",
      ["req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`],
      dir,
    );
    writeFileSync(join(dir, `${name}.ext`), ext);
    run(
      "openssl",
      ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial"].concat([
        "-out",
        `${name}.crt`,
        "-days",
        "2",
        "-extfile",
        `${name}.ext`,
      ]),
      dir,
    );
  };
  issue("server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  issue("client", "tidegate-gateway", "extendedKeyUsage=clientAuth\n");
  return {
    dir,
    ca: join(dir, "ca.crt"),
    clientCert: join(dir, "client.crt"),
    clientKey: join(dir, "client.key"),
    serverCert: join(dir, "server.crt"),
    serverKey: join(dir, "server.key"),
  };
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const binary = findBinary("mosquitto", ["/usr/sbin", "/usr/local/sbin"]);
  if (!binary)
    throw new Error("mosquitto is not installed: run `bash scripts/setup.sh` (apt-get install mosquitto)");
  const passwd = findBinary("mosquitto_passwd", ["/usr/bin", "/usr/sbin"]);
  const dir = mkdtempSync(join(tmpdir(), "tidegate-mosquitto-"));
  const users = options.users ?? [];
  const authEnforced = users.length > 0 && passwd !== undefined;
  const port = await freePort();
  const lines = [
    "per_listener_settings false",
    ...(options.persistent
      ? ["persistence true", `persistence_location ${dir}/`, "queue_qos0_messages true"]
      : ["persistence false"]),
    "log_dest stderr",
    "log_type error",
    "log_type warning",
    "log_type notice",
    // Run as root stays root: mosquitto would otherwise switch to its own user, who cannot read this folder.
    "user root",
    `allow_anonymous ${authEnforced ? "false" : "true"}`,
  ];
  if (authEnforced && passwd) {
    const file = join(dir, "passwd");
    for (const [i, u] of users.entries())
      run(passwd, [...(i === 0 ? ["-c"] : []), "-b", file, u.username, u.password], dir);
    lines.push(`password_file ${file}`);
  }
  lines.push(`listener ${port} 127.0.0.1`);

  let certs: (TestCertificates & { serverCert: string; serverKey: string }) | undefined;
  let tlsPort: number | undefined;
  if (options.tls) {
    certs = makeTestCertificates(dir);
    tlsPort = await freePort();
    const requireCert = typeof options.tls === "object" && options.tls.requireCertificate === true;
    lines.push(
      `listener ${tlsPort} 127.0.0.1`,
      `cafile ${certs.ca}`,
      `certfile ${certs.serverCert}`,
      `keyfile ${certs.serverKey}`,
      `require_certificate ${requireCert ? "true" : "false"}`,
    );
  }
  const configFile = join(dir, "mosquitto.conf");
  writeFileSync(configFile, `${lines.join("\n")}\n`);

  let proc: RunningProcess | undefined;
  async function start() {
    const p = startProcess(binary as string, ["-c", configFile]);
    proc = p;
    await waitFor(
      () => `mosquitto on port ${port}\n${p.output()}`,
      async () => {
        if (p.child.exitCode !== null)
          throw new Error(`mosquitto exited with ${p.child.exitCode}: ${p.output()}`);
        return (await portOpen(port)) && (tlsPort === undefined || (await portOpen(tlsPort)));
      },
      15_000,
    );
  }
  try {
    await start();
  } catch (err) {
    await proc?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const result: Mosquitto = {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    authEnforced,
    start,
    output: () => proc?.output() ?? "",
    async stop() {
      await proc?.stop();
    },
    async dispose() {
      await proc?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (tlsPort !== undefined && certs) {
    result.tlsPort = tlsPort;
    result.tlsUrl = `mqtts://localhost:${tlsPort}`;
    result.certs = { dir, ca: certs.ca, clientCert: certs.clientCert, clientKey: certs.clientKey };
  }
  return result;
}
