import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repo, run } from "./helpers/install.js";
import { collectorEnvNames, parseDockerfile } from "./helpers/manifests.js";
import { agentCli } from "./helpers/tidegate.js";

// docker/compose.yaml as Compose reads it: `docker compose config` where the plugin exists, else
// Debian's docker-compose (scripts/setup.sh installs it). Neither needs a Docker engine for config.
// The Dockerfiles are checked against the tree they build from.

const composeFile = join(repo, "docker/compose.yaml");

async function composeConfig() {
  const plugin = await run("docker", ["compose", "version"]);
  const [command, args] =
    plugin.code === 0
      ? ["docker", ["compose", "-f", composeFile, "config"]]
      : ["docker-compose", ["-f", composeFile, "config"]];
  const { code, output } = await run(command, args as string[]);
  expect(code, output).toBe(0);
  return parse(output) as {
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
  };
}

interface Service {
  image: string;
  build?: { context: string; dockerfile: string; target?: string };
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: ({ type: string; source: string; target: string } | string)[];
  command?: string[];
}

/** A bind mount in either form `config` prints: long (compose v2) or `/abs/src:target[:mode]` (v1). */
function bindMount(volume: NonNullable<Service["volumes"]>[number]): { source: string; target: string }[] {
  if (typeof volume === "object") return volume.type === "bind" ? [volume] : [];
  const [source = "", target = ""] = volume.split(":");
  return source.startsWith("/") ? [{ source, target }] : [];
}

describe("docker/compose.yaml", () => {
  it("is valid Compose, every service has a health check, and start order waits for health", async () => {
    const { services } = await composeConfig();
    expect(Object.keys(services).sort()).toEqual([
      "agent",
      "collector",
      "grafana",
      "influxdb",
      "nats",
      "simulators",
    ]);
    for (const [name, service] of Object.entries(services)) {
      expect(service.healthcheck?.test?.[0], name).toBe("CMD");
      for (const [dep, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(condition, `${name} -> ${dep}`).toBe("service_healthy");
      }
    }
    expect(Object.keys(services.agent?.depends_on ?? {}).sort()).toEqual(["collector", "nats", "simulators"]);
    expect(Object.keys(services.collector?.depends_on ?? {}).sort()).toEqual(["influxdb", "nats"]);
    expect(services.nats?.command).toEqual(expect.arrayContaining(["-js", "-sd", "/data"]));
    expect(services.influxdb?.environment?.INFLUXDB_DB).toBe(
      services.collector?.environment?.TIDEGATE_INFLUX_DB,
    );
  });

  it("the collector writes to InfluxDB with settings the collector reads", async () => {
    const { services } = await composeConfig();
    const env = services.collector?.environment ?? {};
    expect(env).toMatchObject({
      TIDEGATE_STORE: "influx",
      TIDEGATE_INFLUX_URL: "http://influxdb:8086",
      TIDEGATE_INFLUX_API: "v1",
    });
    const known = collectorEnvNames();
    for (const name of Object.keys(env)) expect(known, name).toContain(name);
  });

  it("mounts files that exist, and the agent's config is one the agent accepts", async () => {
    const { services } = await composeConfig();
    const binds = Object.values(services).flatMap((s) => (s.volumes ?? []).flatMap(bindMount));
    expect(binds.length).toBeGreaterThan(0);
    for (const bind of binds) expect(existsSync(bind.source), bind.source).toBe(true);
    const agentConfig = binds.find((b) => b.target === "/etc/tidegate/agent.yaml");
    const check = await run("node", [agentCli, "check", "--config", agentConfig?.source as string]);
    expect(check.code, check.output).toBe(0);
  });

  it("the agent polls the devices the simulators service serves", async () => {
    const { services } = await composeConfig();
    const command = services.simulators?.command ?? [];
    const basePort = Number(command[command.indexOf("--base-port") + 1]);
    const profiles = command.flatMap((word, i) => (command[i - 1] === "--profile" ? [word] : []));
    const config = parse(readFileSync(join(repo, "docker/agent.compose.yaml"), "utf8"));
    // The fleet gives each device its own port from --base-port, profiles in turn.
    expect(
      config.devices.map((d: { profile: string; transport: { host: string; port: number } }) => [
        d.profile,
        d.transport.host,
        d.transport.port,
      ]),
    ).toEqual(profiles.map((profile, i) => [profile, "simulators", basePort + i]));
    expect(config.nats.servers).toEqual(["nats://nats:4222"]);
  });
});

describe("Dockerfiles", () => {
  const ignored = readFileSync(join(repo, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));

  it.each(["agent", "collector"])("Dockerfile.%s copies only what exists in the build context", (app) => {
    const { stages, copies } = parseDockerfile(readFileSync(join(repo, `docker/Dockerfile.${app}`), "utf8"));
    expect(stages).toContain("build");
    for (const copy of copies) {
      if (copy.from) {
        expect(stages, copy.text).toContain(copy.from);
        continue;
      }
      for (const source of copy.sources) {
        expect(existsSync(join(repo, source)), copy.text).toBe(true);
        // A source the context leaves out would be missing in the build.
        expect(
          ignored.filter((pattern) => source === pattern || source.startsWith(`${pattern}/`)),
          copy.text,
        ).toEqual([]);
      }
    }
    // Every workspace's manifest is copied before npm ci, or npm ci refuses the lockfile.
    const rootPkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
    const manifests = copies
      .filter((c) => !c.from)
      .flatMap((c) => c.sources)
      .filter((s) => s.endsWith("/package.json"));
    expect(manifests.sort()).toEqual(rootPkg.workspaces.map((w: string) => `${w}/package.json`).sort());
  });

  it("the runtime images run as a non-root user and check /healthz", () => {
    for (const app of ["agent", "collector"]) {
      const text = readFileSync(join(repo, `docker/Dockerfile.${app}`), "utf8");
      const runtime = text.slice(text.lastIndexOf("\nFROM "));
      expect(runtime).toMatch(/^USER node$/m);
      expect(runtime).toMatch(/HEALTHCHECK[\s\S]*\/healthz/);
      expect(runtime).not.toMatch(/build-essential/);
    }
  });

  it("the compose file builds the stages the Dockerfiles define", async () => {
    const { services } = await composeConfig();
    for (const service of Object.values(services)) {
      if (!service.build) continue;
      const { stages } = parseDockerfile(
        readFileSync(join(service.build.context, service.build.dockerfile), "utf8"),
      );
      if (service.build.target) expect(stages).toContain(service.build.target);
    }
  });
});
