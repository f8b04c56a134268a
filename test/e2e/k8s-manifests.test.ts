import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { parseCollectorOptions } from "../../collector/src/config/options.js";
import { deferredCleanup } from "./helpers/cleanup.js";
import { startInfluxd } from "./helpers/influxd.js";
import { repo } from "./helpers/install.js";
import { collectorEnvNames } from "./helpers/manifests.js";
import { startNatsServer } from "./helpers/nats.js";
import { startCollector } from "./helpers/tidegate.js";
import { waitFor } from "./helpers/wait.js";

// docker/k8s against the collector itself: the probes and ports the Deployment names are the
// collector's routes and default port, its settings are variables the collector reads, and the
// built collector, run with the Deployment's environment, answers both probes with 200.

const defer = deferredCleanup();
const dir = join(repo, "docker/k8s");

interface Manifest {
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}
interface Container {
  ports: { name: string; containerPort: number }[];
  env: { name: string; value: string }[];
  envFrom: { secretRef: { name: string } }[];
  readinessProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
  securityContext: Record<string, unknown>;
}

const manifests = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml"))
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((doc) => {
      expect(doc.errors, file).toEqual([]);
      return { file, ...(doc.toJS() as Manifest) };
    }),
  );
const find = <T = Manifest>(kind: string, name: string) => {
  const m = manifests.find((x) => x.kind === kind && x.metadata?.name === name);
  expect(m, `${kind} ${name}`).toBeDefined();
  return m as unknown as T & Manifest & { file: string };
};
const deployment = find("Deployment", "tidegate-collector");
const hpa = find("HorizontalPodAutoscaler", "tidegate-collector");
const pod = (deployment.spec as { template: { spec: Record<string, unknown> } }).template.spec;
const container = (pod.containers as Container[])[0] as Container;

describe("docker/k8s", () => {
  it("has the collector Deployment and Service, InfluxDB, and a kustomization of them", () => {
    expect(find("Service", "tidegate-collector")).toBeDefined();
    expect(find("StatefulSet", "influxdb")).toBeDefined();
    expect(find("Service", "influxdb")).toBeDefined();
    const kustomization = manifests.find((m) => m.kind === "Kustomization") as
      | { resources: string[] }
      | undefined;
    expect(kustomization?.resources.sort()).toEqual(
      [deployment.file, find("StatefulSet", "influxdb").file, hpa.file].sort(),
    );
  });

  it("scales the collectors out on CPU, never below two", () => {
    const spec = hpa.spec as {
      scaleTargetRef: { kind: string; name: string };
      minReplicas: number;
      metrics: { resource: { name: string } }[];
    };
    expect(spec.scaleTargetRef).toMatchObject({ kind: "Deployment", name: deployment.metadata.name });
    expect(spec.minReplicas).toBe(2);
    expect(spec.metrics.map((m) => m.resource.name)).toEqual(["cpu"]);
    // Utilisation is measured against the request: without one the autoscaler does nothing.
    const resources = (container as unknown as { resources: { requests: { cpu?: string } } }).resources;
    expect(resources.requests.cpu).toBeDefined();
  });

  it("probes the collector's routes on its default port, as a non-root, read-only container", () => {
    expect(deployment.spec?.replicas).toBe(2);
    const http = container.ports.find((p) => p.name === "http");
    expect(http?.containerPort).toBe(parseCollectorOptions({}, {}).port);
    expect(container.env.find((e) => e.name === "TIDEGATE_HTTP_PORT")?.value).toBe(
      String(http?.containerPort),
    );
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
    const service = find<{ spec: { ports: { targetPort: string }[] } }>("Service", "tidegate-collector");
    expect(service.spec.ports[0]?.targetPort).toBe("http");
  });

  it("sets only variables the collector reads, and takes credentials from the Secret", () => {
    const known = collectorEnvNames();
    for (const { name } of container.env) expect(known, name).toContain(name);
    const secret = find<{ stringData: Record<string, string> }>("Secret", "tidegate-collector");
    expect(container.envFrom.map((e) => e.secretRef.name)).toEqual([secret.metadata.name]);
    for (const key of Object.keys(secret.stringData)) expect(known, key).toContain(key);
    expect(container.env.find((e) => e.name === "TIDEGATE_INFLUX_URL")?.value).toBe(
      `http://${find("Service", "influxdb").metadata.name}:8086`,
    );
  });

  it("the NATS chart values turn on JetStream with file storage", () => {
    const values = parseAllDocuments(readFileSync(join(dir, "nats-values.yaml"), "utf8"))[0]?.toJS();
    expect(values.config.jetstream).toMatchObject({
      enabled: true,
      fileStore: { enabled: true, pvc: { enabled: true } },
    });
  });

  it("the built collector, with the Deployment's environment, answers both probes", async () => {
    const nats = await startNatsServer();
    defer(() => nats.dispose());
    const influx = await startInfluxd();
    defer(() => influx.dispose());
    const data = mkdtempSync(join(tmpdir(), "tidegate-k8s-"));
    defer(() => rmSync(data, { recursive: true, force: true }));
    // The cluster's names become this machine's addresses; startCollector passes port, NATS and data dir.
    const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
    env.TIDEGATE_INFLUX_URL = influx.url;
    const collector = await startCollector(nats.url, { dir: data, env });
    defer(() => collector.stop());
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      await waitFor(
        () => `${probe.httpGet.path} 200\n${collector.output()}`,
        async () => (await fetch(`${collector.url}${probe.httpGet.path}`)).status === 200,
      );
    }
  });
});
