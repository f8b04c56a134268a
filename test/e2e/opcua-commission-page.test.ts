import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { launchChromium, screenshot } from "./helpers/browser.js";
import { startOpcuaSimCli } from "./helpers/opcua-sim-cli.js";
import { freePort } from "./helpers/ports.js";
import { agentCli, type StartedAgent, startAgent } from "./helpers/tidegate.js";
import { adminOnCommissioning } from "./helpers/users.js";

// The commissioning page in a real Chromium, signed in as an admin, against the built agent and
// `tidegate-sim opcua` that no config names: browse over SignAndEncrypt, see the unknown
// certificate, trust it, open the tree, tick two variables, preview, save, and the new device's
// readings show in the local view. Screenshots of each step go to test/artifacts.

const cleanups: (() => unknown)[] = [];
let agent: StartedAgent;
let sim: Awaited<ReturnType<typeof startOpcuaSimCli>>;
let browser: Browser;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "tidegate-opcua-page-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  sim = await startOpcuaSimCli(dir);
  cleanups.push(() => sim.proc.stop());
  agent = await startAgent(`version: 1
gateway: e2e-opcua-page
http: { host: 127.0.0.1 }
nats: { servers: ["nats://127.0.0.1:${await freePort()}"] }
buffer: { path: buffer.db, commitIntervalMs: 50 }
`);
  cleanups.push(() => agent.stop());
  browser = await launchChromium();
  cleanups.push(() => browser.close());
}, 90_000);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

describe("the OPC UA browser on the commissioning page", () => {
  it("browses, trusts the server's certificate, adds picked variables as a device, and shows their readings", async () => {
    const page = await adminOnCommissioning(browser, agent, {
      cli: agentCli,
      viewport: {
        width: 1000,
        height: 1100,
      },
    });
    cleanups.push(() => page.context().close());
    const panel = page.getByTestId("opcua-panel");
    await panel.waitFor();

    await page.getByTestId("opcua-endpoint").fill(sim.endpointUrl);
    await page.getByTestId("opcua-mode").selectOption("SignAndEncrypt");
    await page.getByTestId("opcua-browse").click();
    const untrusted = page.getByTestId("opcua-untrusted");
    await untrusted.waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("opcua-cert-fingerprint").textContent()).toBe(sim.fingerprint);
    expect(await page.getByTestId("opcua-cert-subject").textContent()).toMatch(/CN=/);
    await untrusted.scrollIntoViewIfNeeded();
    await screenshot(page, "opcua-1-untrusted");

    await page.getByTestId("opcua-trust").click();
    const tree = page.getByTestId("opcua-tree");
    await tree.waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="opcua-object"][data-name="Machine"] > button').click();
    await page.locator('[data-testid="opcua-object"][data-name="Motor"] > button').click();
    const temperature = page.locator('[data-testid="opcua-variable"][data-name="Temperature"]');
    await temperature.waitFor({ timeout: 20_000 });
    expect(await temperature.textContent()).toMatch(/Double · r/);
    await temperature.locator("input").check();
    await page.locator('[data-testid="opcua-object"][data-name="Tags"] > button').click();
    const program = page.locator('[data-testid="opcua-variable"][data-name="Program"]');
    await program.waitFor({ timeout: 20_000 });
    await program.locator("input").check();
    // An array variable lists its elements; the second one becomes a point of its own.
    const axes = page.locator('[data-testid="opcua-variable"][data-name="AxisPositions"]');
    await axes.locator("button").click();
    await axes.locator('[data-testid="opcua-element"][data-index="1"] input').check();
    // The trust store lists the server's certificate, trusted now.
    await page.locator('[data-testid="opcua-cert"][data-status="trusted"]').waitFor({ timeout: 10_000 });
    await screenshot(page, "opcua-2-tree");

    await page.getByTestId("opcua-id").fill("press-7");
    await page.getByTestId("opcua-sampling").fill("200");
    expect(await page.getByTestId("opcua-save").isDisabled()).toBe(true); // preview first
    await page.getByTestId("opcua-preview").click();
    const previewed = page.locator('[data-testid="preview-point"][data-point="Program"] td');
    await expect.poll(() => previewed.allTextContents(), { timeout: 20_000 }).toContain("P-1042");
    await screenshot(page, "opcua-3-preview");

    await page.getByTestId("opcua-save").click();
    const saved = page.getByTestId("opcua-saved");
    await saved.waitFor({ timeout: 30_000 });
    expect(await saved.textContent()).toMatch(/press-7 was added \(config version 1\)/);
    // Written as browse paths with the namespace by URI, so a renumbered NodeId does not matter.
    const file = readFileSync(join(agent.dir, "devices.d", "press-7.yaml"), "utf8");
    expect(file).toContain("browsePath: Machine/Motor/Temperature");
    expect(file).toContain("namespace: urn:tidegate:machine");
    expect(file).toContain("profile: local/press-7");
    expect((parseYaml(file) as { nodes: { id: string }[] }).nodes).toContainEqual(
      expect.objectContaining({ id: "AxisPositions_1", index: 1 }),
    );
    await screenshot(page, "opcua-4-saved");

    await saved.getByRole("link").click();
    const row = page.locator('[data-testid="point-row"][data-device="press-7"][data-point="Temperature"]');
    await expect.poll(() => row.getByTestId("point-value").textContent(), { timeout: 30_000 }).toMatch(/\d/);
    const programRow = page.locator('[data-testid="point-row"][data-device="press-7"][data-point="Program"]');
    await expect
      .poll(() => programRow.getByTestId("point-value").textContent(), { timeout: 30_000 })
      .toBe("P-1042");
    await screenshot(page, "opcua-5-local-view");
  }, 180_000);
});
