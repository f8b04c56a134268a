import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { makeUserCertificate, type UserCertificate } from "../helpers/user-certificate.js";
import { apiFetch } from "./helpers/auth.js";
import { launchChromium, screenshot } from "./helpers/browser.js";
import { startOpcuaSimCli } from "./helpers/opcua-sim-cli.js";
import { freePort } from "./helpers/ports.js";
import { startProcess } from "./helpers/process.js";
import { agentCli, type StartedAgent, startAgent } from "./helpers/tidegate.js";
import { adminOnCommissioning } from "./helpers/users.js";
import { getJson, waitFor } from "./helpers/wait.js";

// Certificate user login on the commissioning page, against the built agent and `tidegate-sim
// opcua --user-cert` (a node-opcua server in its own process that accepts only the user
// certificates it was given and no anonymous session): upload the pair, browse as that user, a
// certificate the server does not know refused in words, the picked node saved as a device whose
// auth points at the stored files, `tidegate-agent check` happy with it, and its readings. Then the
// same in Chromium with the second known certificate.

const cleanups: (() => unknown)[] = [];
let dir: string;
let agent: StartedAgent;
let sim: Awaited<ReturnType<typeof startOpcuaSimCli>>;
let operator: UserCertificate;
let fitter: UserCertificate;
let stranger: UserCertificate;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-opcua-user-cert-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  operator = makeUserCertificate(dir, "line2-operator");
  fitter = makeUserCertificate(dir, "line2-fitter");
  stranger = makeUserCertificate(dir, "stranger");
  sim = await startOpcuaSimCli(dir, { userCerts: [operator.certFile, fitter.certFile] });
  cleanups.push(() => sim.proc.stop());
  agent = await startAgent(`version: 1
gateway: e2e-opcua-user-cert
http: { host: 127.0.0.1 }
nats: { servers: ["nats://127.0.0.1:${await freePort()}"] }
buffer: { path: buffer.db, commitIntervalMs: 50 }
`);
  cleanups.push(() => agent.stop());
}, 90_000);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

async function post(path: string, body: object) {
  const res = await apiFetch(`${agent.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: string } };
}
const certAuth = (cert: string, key: string) => ({ type: "certificate", cert, key: { file: key } });

/** Every file under `root` but secrets.d/, as bytes: where a key must never be found. */
function filesOutsideSecrets(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((f) => !f.startsWith("secrets.d") && statSync(join(root, f)).isFile())
    .map((f) => join(root, f));
}

describe("OPC UA user certificates on the commissioning page", () => {
  it("uploads a pair, browses as its user, refuses an unknown one, and adds a device that reads with it", async () => {
    const uploaded = await post("/api/v1/commission/opcua/user-certs", {
      name: "line2-operator",
      cert: operator.cert,
      key: operator.key,
    });
    expect(uploaded.status).toBe(200);
    const secrets = join(agent.dir, "secrets.d");
    expect(uploaded.body).toMatchObject({
      cert: join(secrets, "opcua-user-line2-operator.cert.pem"),
      key: join(secrets, "opcua-user-line2-operator.key.pem"),
      subject: "CN=line2-operator",
    });
    expect(statSync(uploaded.body.key as string).mode & 0o777).toBe(0o600);
    const auth = certAuth(uploaded.body.cert as string, uploaded.body.key as string);

    const top = await post("/api/v1/commission/opcua/browse", { endpoint: sim.endpointUrl, auth });
    expect(top.status).toBe(200);
    expect((top.body.nodes as { browseName: string }[]).map((n) => n.browseName)).toContain("Tags");
    // Without a certificate the server lets nobody in.
    const anonymous = await post("/api/v1/commission/opcua/browse", { endpoint: sim.endpointUrl });
    expect(anonymous.status).toBe(400);
    // A pair the server does not know: checked, kept, sent, refused in words.
    const strange = await post("/api/v1/commission/opcua/user-certs", {
      name: "stranger",
      cert: stranger.cert,
      key: stranger.key,
    });
    const unknown = await post("/api/v1/commission/opcua/browse", {
      endpoint: sim.endpointUrl,
      auth: certAuth(strange.body.cert as string, strange.body.key as string),
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(
      /^the server refused the session: .*BadIdentityTokenRejected.*does not accept the user certificate/,
    );
    // Files elsewhere on the gateway are not the page's to name.
    const elsewhere = await post("/api/v1/commission/opcua/browse", {
      endpoint: sim.endpointUrl,
      auth: certAuth(operator.certFile, operator.keyFile),
    });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error).toMatch(
      /^auth\.cert: .* is outside the folders the commissioning page may use/,
    );
    const mismatch = await post("/api/v1/commission/opcua/browse", {
      endpoint: sim.endpointUrl,
      auth: certAuth(uploaded.body.cert as string, strange.body.key as string),
    });
    expect(mismatch).toEqual({
      status: 400,
      body: { error: "auth.key: this private key does not belong to the certificate CN=line2-operator" },
    });

    const added = await post("/api/v1/commission/devices", {
      device: {
        id: "press-8",
        profile: "local/press-8",
        pollIntervalMs: 500,
        transport: { type: "opcua", endpoint: sim.endpointUrl, auth, samplingIntervalMs: 200 },
        nodes: [
          {
            id: "program",
            name: "Program",
            type: "string",
            browsePath: "Tags/Program",
            namespace: "urn:tidegate:machine",
          },
          {
            id: "temperature",
            name: "Motor temperature",
            browsePath: "Machine/Motor/Temperature",
            namespace: "urn:tidegate:machine",
          },
        ],
      },
    });
    expect(added.status).toBe(201);
    const file = parseYaml(readFileSync(join(agent.dir, "devices.d", "press-8.yaml"), "utf8"));
    expect(file.transport.auth).toEqual({
      type: "certificate",
      cert: uploaded.body.cert,
      key: { file: uploaded.body.key },
    });

    const temperature = await waitFor(
      () => `readings of press-8 as line2-operator\n${agent.output()}`,
      async () => {
        const latest = await getJson<{
          readings: { device: string; point: string; value: unknown; quality: string }[];
        }>(`${agent.url}/api/v1/latest`);
        return latest.readings.find(
          (r) => r.device === "press-8" && r.point === "temperature" && r.quality === "good",
        );
      },
      30_000,
    );
    expect(typeof temperature.value).toBe("number");

    const check = startProcess("node", [agentCli, "check", "--config", agent.configFile]);
    expect(await new Promise((resolve) => check.child.once("exit", resolve))).toBe(0);
    expect(check.output()).toMatch(/press-8 \(local\/press-8\) from .*devices\.d\/press-8\.yaml/);
    // The same device with another certificate's key: check says so, naming the device and path.
    const bad = join(dir, "bad.yaml");
    writeFileSync(
      bad,
      `version: 1
gateway: e2e-opcua-bad-cert
nats: { servers: ["nats://127.0.0.1:4222"] }
buffer: { path: buffer.db }
devices:
  - id: press-8
    profile: local/press-8
    transport: { type: opcua, endpoint: "${sim.endpointUrl}", auth: { type: certificate, cert: ${operator.certFile}, key: { file: ${stranger.keyFile} } } }
    nodes: [{ id: program, name: Program, type: string, browsePath: Tags/Program, namespace: "urn:tidegate:machine" }]
`,
    );
    const refused = startProcess("node", [agentCli, "check", "--config", bad]);
    expect(await new Promise((resolve) => refused.child.once("exit", resolve))).toBe(2);
    expect(refused.output()).toContain(
      `${bad}: devices.0.transport.auth.key: this private key does not belong to the certificate CN=line2-operator (device press-8)`,
    );

    // The key's text is in secrets.d/ and nowhere else the agent writes: no device file, config
    // version, database or log.
    const body = operator.key.split("\n").slice(1, 3).join("\n");
    const written = filesOutsideSecrets(agent.dir);
    expect(written.map((f) => f.slice(agent.dir.length + 1))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^devices\.d\/press-8\.yaml$/),
        expect.stringMatching(/buffer\.db/),
      ]),
    );
    for (const f of written) expect(readFileSync(f, "latin1"), f).not.toContain(body);
    expect(agent.output()).not.toContain(body);
  }, 120_000);

  let browser: Browser;
  it("in Chromium: a wrong pair is refused on upload, the right one browses and saves a device", async () => {
    browser = await launchChromium();
    cleanups.push(() => browser.close());
    const page = await adminOnCommissioning(browser, agent, {
      cli: agentCli,
      viewport: {
        width: 1000,
        height: 1300,
      },
    });
    cleanups.push(() => page.context().close());
    await page.getByTestId("opcua-panel").waitFor();
    await page.getByTestId("opcua-endpoint").fill(sim.endpointUrl);
    await page.getByTestId("opcua-auth").selectOption("certificate");
    await page.getByTestId("opcua-cert-name").fill("line2-fitter");
    await page.getByTestId("opcua-cert-file").setInputFiles(fitter.certFile);
    await page.getByTestId("opcua-key-file").setInputFiles(stranger.keyFile);
    await page.getByTestId("opcua-cert-upload").click();
    const refused = page.getByTestId("opcua-cert-error");
    await refused.waitFor({ timeout: 10_000 });
    expect(await refused.textContent()).toMatch(
      /this private key does not belong to the certificate CN=line2-fitter/,
    );

    await page.getByTestId("opcua-key-file").setInputFiles(fitter.keyFile);
    await page.getByTestId("opcua-cert-upload").click();
    const stored = page.getByTestId("opcua-cert-stored");
    await stored.waitFor({ timeout: 10_000 });
    expect(await stored.textContent()).toMatch(/CN=line2-fitter/);
    expect(await page.getByTestId("opcua-key-path").inputValue()).toBe(
      join(agent.dir, "secrets.d", "opcua-user-line2-fitter.key.pem"),
    );
    await screenshot(page, "opcua-user-cert-1-uploaded");

    await page.getByTestId("opcua-browse").click();
    await page.getByTestId("opcua-tree").waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="opcua-object"][data-name="Tags"] > button').click();
    const program = page.locator('[data-testid="opcua-variable"][data-name="Program"]');
    await program.waitFor({ timeout: 20_000 });
    await program.locator("input").check();
    await page.getByTestId("opcua-id").fill("press-9");
    await page.getByTestId("opcua-preview").click();
    await page.locator('[data-testid="preview-point"][data-point="Program"]').waitFor({ timeout: 20_000 });
    await page.getByTestId("opcua-save").click();
    const saved = page.getByTestId("opcua-saved");
    await saved.waitFor({ timeout: 30_000 });
    expect(await saved.textContent()).toMatch(/press-9 was added/);
    await screenshot(page, "opcua-user-cert-2-saved");
    const file = parseYaml(readFileSync(join(agent.dir, "devices.d", "press-9.yaml"), "utf8"));
    expect(file.transport.auth).toEqual({
      type: "certificate",
      cert: join(agent.dir, "secrets.d", "opcua-user-line2-fitter.cert.pem"),
      key: { file: join(agent.dir, "secrets.d", "opcua-user-line2-fitter.key.pem") },
    });
  }, 180_000);
});
