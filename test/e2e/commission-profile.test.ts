import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProfiles, type Profile, parseProfile } from "@tidegate/profiles";
import { startModbusRtuSimulator, startPtyPair } from "@tidegate/simulators";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiFetch } from "./helpers/auth.js";
import { launchChromium, screenshot } from "./helpers/browser.js";
import { type CommissionRig, startCommissionRig } from "./helpers/commission.js";
import { agentCli } from "./helpers/tidegate.js";
import { addUserByCli, signInPage } from "./helpers/users.js";

// A device no profile fits, in a real Chromium against the built agent and a simulated XY-MD02 on
// Modbus TCP: the technician types the manual's register table, reads the device with it, types
// what the display shows beside each value (a wrong one is refused), saves the profile (then
// downloads it), and adds the device with it; the built profile decodes what the shipped one does.

const GATEWAY = "e2e-commission-profile";
const cleanups: (() => unknown)[] = [];
let rig: CommissionRig;
let browser: Browser;

beforeAll(async () => {
  rig = await startCommissionRig(GATEWAY, { unitId: 17, values: { temperature: 22.5, humidity: 41.5 } });
  cleanups.push(() => rig.stop());
  browser = await launchChromium();
  cleanups.push(() => browser.close());
  await addUserByCli({
    cli: agentCli,
    where: ["--config", rig.agent.configFile],
    dir: rig.agent.dir,
    name: "tina",
    role: "operator",
    password: "technician password",
  });
}, 60_000);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

/** A technician signed in as an operator (made in beforeAll), in a desktop-sized window. */
async function operatorPage(): Promise<Page> {
  const page = await signInPage(browser, rig.agent.url, "tina", "technician password", {
    width: 1100,
    height: 1000,
  });
  cleanups.push(() => page.context().close());
  return page;
}

type Preview = { cycles: { points: { id: string; value: string }[] }[] };
async function previewWith(profile: string): Promise<Record<string, string>> {
  const res = await apiFetch(`${rig.agent.url}/api/v1/commission/preview`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      device: {
        id: "compare",
        profile,
        unitId: 17,
        points: ["temperature", "humidity"],
        transport: { type: "tcp", host: "127.0.0.1", port: rig.climate.port },
      },
      cycles: 1,
    }),
  });
  const answer = (await res.json()) as Preview;
  expect(res.status, JSON.stringify(answer)).toBe(200);
  return Object.fromEntries((answer.cycles[0]?.points ?? []).map((p) => [p.id, p.value]));
}

describe("a profile built on the commissioning page", () => {
  it("is read from the device, checked against its display, saved, downloaded, and the device is added with it", async () => {
    const page = await operatorPage();
    await page.goto(`${rig.agent.url}/#/commission`);
    await page.getByTestId("scan-host").fill("127.0.0.1");
    await page.getByTestId("scan-port").fill(String(rig.climate.port));
    await page.getByTestId("scan-from").fill("16");
    await page.getByTestId("scan-to").fill("18");
    await page.getByTestId("scan-start").click();
    const found = page.locator('[data-testid="scan-found"][data-unit="17"]');
    await found.waitFor({ timeout: 30_000 });
    await found.getByTestId("scan-none-fits").click();
    await page.getByTestId("add-build-profile").click();

    await page.getByTestId("builder-id").fill("acme/th-02");
    await page.getByTestId("builder-vendor").fill("Acme");
    await page.getByTestId("builder-model").fill("TH-02");
    await page.getByTestId("builder-title").fill("TH-02 Modbus register map");
    await page.getByTestId("builder-url").fill("https://example.com/th-02.pdf");
    const rows = page.getByTestId("builder-row");
    const fillRow = async (i: number, cells: Record<string, string>) => {
      const row = rows.nth(i);
      for (const [key, value] of Object.entries(cells)) {
        const cell = row.getByTestId(`row-${key}`);
        if ((await cell.evaluate((e) => e.tagName)) === "SELECT") await cell.selectOption(value);
        else await cell.fill(value);
      }
    };
    await fillRow(0, { address: "30002", name: "Temperature", type: "int16", scale: "0.1", unit: "°C" });
    await page.getByTestId("builder-add-row").click();
    await fillRow(1, { address: "30003", name: "Humidity", type: "uint16", scale: "0.1", unit: "%RH" });
    await page.getByTestId("builder-read").click();

    const point = (id: string) => page.locator(`[data-testid="builder-point"][data-point="${id}"]`);
    await point("humidity").waitFor({ timeout: 20_000 });
    expect(await point("temperature").getByTestId("builder-value").textContent()).toBe("22.5 °C");
    expect(await point("humidity").getByTestId("builder-value").textContent()).toBe("41.5 %RH");

    // A value the display does not show is named, with what the table decodes.
    await point("temperature").getByTestId("builder-display").fill("225");
    await point("humidity").getByTestId("builder-display").fill("41.5");
    await page.getByTestId("builder-check").click();
    const issue = page.getByTestId("builder-issue");
    await issue.first().waitFor({ timeout: 10_000 });
    expect(await issue.allTextContents()).toEqual([
      "readings.0 (temperature): the display shows 225, but registers 00e1 decode to 22.5 with this table; check its type, byte order and scale",
    ]);
    await screenshot(page, "commission-profile-1-display-mismatch");

    await point("temperature").getByTestId("builder-display").fill("22.5");
    await page.getByTestId("builder-check").click();
    await page.getByTestId("builder-checked").waitFor({ timeout: 10_000 });
    await page.getByTestId("builder-save").click();
    const saved = page.getByTestId("builder-saved");
    await saved.waitFor({ timeout: 10_000 });
    const file = join(rig.agent.dir, "profiles.d", "acme", "th-02.yaml");
    expect(await saved.textContent()).toContain(`acme/th-02 is saved in ${file}`);
    await screenshot(page, "commission-profile-2-saved");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("builder-download").click(),
    ]);
    expect(download.suggestedFilename()).toBe("th-02.yaml");
    const downloaded = readFileSync((await download.path()) as string, "utf8");
    expect(downloaded).toBe(readFileSync(file, "utf8"));
    const profile = parseProfile(downloaded, "th-02.yaml") as Profile;
    expect(profile.testdata).toEqual([
      { point: "temperature", raw: [0x00e1], value: 22.5 },
      { point: "humidity", raw: [0x019f], value: 41.5 },
    ]);
    expect(readFileSync(rig.agent.configFile, "utf8")).toBe(rig.configText);

    // The device is added with it, as with any profile.
    expect(await page.getByTestId("add-profile").inputValue()).toBe("acme/th-02");
    await page.getByTestId("add-id").fill("th-17");
    await page.getByTestId("add-interval").fill("500");
    await page.getByTestId("add-preview").click();
    const previewed = page.locator('[data-testid="preview-point"][data-point="humidity"] td');
    await expect.poll(() => previewed.allTextContents(), { timeout: 20_000 }).toContain("41.5 %RH");
    await page.getByTestId("add-save").click();
    await page.getByTestId("add-saved").waitFor({ timeout: 30_000 });
    await screenshot(page, "commission-profile-3-added");
    await page.getByTestId("add-saved").getByRole("link").click();
    const row = page.locator('[data-testid="point-row"][data-device="th-17"][data-point="temperature"]');
    await expect
      .poll(() => row.getByTestId("point-value").textContent(), { timeout: 20_000 })
      .toMatch(/22\.5/);
    await screenshot(page, "commission-profile-4-local-view");

    // The same registers through the hand-written shipped profile decode to the same values.
    expect(await previewWith("acme/th-02")).toEqual(await previewWith("sonbest/xy-md02"));
    expect(await previewWith("acme/th-02")).toEqual({ temperature: "22.5", humidity: "41.5" });
  }, 150_000);

  it("adds N identical devices from a template, checked like a CSV import first", async () => {
    const page = await operatorPage();
    await page.goto(`${rig.agent.url}/#/commission`);
    await page.getByTestId("template-base").fill("bad name");
    await page.getByTestId("template-profile").selectOption("sonbest/xy-md02");
    await page.getByTestId("template-transport").selectOption("tcp");
    await page.getByTestId("template-address").fill(`127.0.0.1:${rig.climate.port}`);
    await page.getByTestId("template-units").fill("17-18");
    await page.getByTestId("template-interval").fill("500");
    expect(await page.getByTestId("template-devices").textContent()).toBe(
      "2 devices: bad name-17, bad name-18",
    );
    await page.getByTestId("template-check").click();
    const errors = page.getByTestId("template-error");
    await errors.first().waitFor({ timeout: 10_000 });
    expect((await errors.allTextContents()).map((e) => e.slice(0, 3))).toEqual(["2id", "3id"]);
    expect(await page.getByTestId("template-import").isDisabled()).toBe(true);
    await screenshot(page, "commission-template-1-errors");

    // Only unit 17 answers on this host; 18 would roll the change back.
    await page.getByTestId("template-base").fill("climate");
    await page.getByTestId("template-units").fill("17");
    await page.getByTestId("template-check").click();
    const result = page.getByTestId("template-result");
    await result.waitFor({ timeout: 10_000 });
    expect(await result.textContent()).toBe("Every row is fine: climate-17. Nothing has changed yet.");
    await page.getByTestId("template-import").click();
    await expect
      .poll(() => result.textContent(), { timeout: 30_000 })
      .toMatch(/^Added climate-17 \(config version \d+\)\.$/);
    await screenshot(page, "commission-template-2-imported");
    const status = await apiFetch(`${rig.agent.url}/api/v1/status`);
    const { devices } = (await status.json()) as { devices: { id: string }[] };
    expect(devices.map((d) => d.id)).toContain("climate-17");
  }, 90_000);

  it("prefills an RS-485 device's baud rate, parity and stop bits from the scan, and saves the ones chosen", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tidegate-page-serial-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const pty = await startPtyPair(dir, "ttyUSB-add");
    cleanups.push(pty.close);
    // A PTY carries bytes at any setting: the scan finds the meter at the first one it tries.
    const sim = await startModbusRtuSimulator({
      path: pty.deviceEnd,
      slaves: [{ unitId: 3, profile: loadProfiles().get("eastron/sdm120") as Profile, seed: 1 }],
      tickMs: 200,
    });
    cleanups.push(sim.close);
    const page = await operatorPage();
    await page.goto(`${rig.agent.url}/#/commission`);
    await page.getByTestId("scan-mode").selectOption("serial");
    await page.getByTestId("scan-serial").fill(pty.agentEnd);
    await page.getByTestId("scan-from").fill("3");
    await page.getByTestId("scan-to").fill("3");
    await page.getByTestId("scan-start").click();
    const found = page.locator('[data-testid="scan-found"][data-unit="3"]').first();
    await found.waitFor({ timeout: 60_000 });
    const setting = (await found.getAttribute("data-setting")) ?? "";
    await found
      .locator('[data-testid="scan-candidate"][data-profile="eastron/sdm120"]')
      .getByTestId("scan-use")
      .click();
    const shown = [
      await page.getByTestId("add-baud").inputValue(),
      await page.getByTestId("add-parity").inputValue(),
      await page.getByTestId("add-stop").inputValue(),
    ];
    const [baud, framing] = setting.split(" ");
    expect(shown).toEqual([baud, { N: "none", E: "even", O: "odd" }[framing?.[1] ?? ""], framing?.[2]]);
    await page.getByTestId("add-baud").selectOption("19200");
    await page.getByTestId("add-parity").selectOption("even");
    await page.getByTestId("add-stop").selectOption("1");
    await page.getByTestId("add-id").fill("meter-3");
    await page.getByTestId("add-interval").fill("500");
    await screenshot(page, "commission-serial-1-setting");
    await page.getByTestId("add-preview").click();
    await page.getByTestId("add-preview-result").waitFor({ timeout: 30_000 });
    await page.getByTestId("add-save").click();
    await page.getByTestId("add-saved").waitFor({ timeout: 30_000 });
    const saved = readFileSync(join(rig.agent.dir, "devices.d", "meter-3.yaml"), "utf8");
    expect(saved).toMatch(/baudRate: 19200/);
    expect(saved).toMatch(/parity: even/);
    expect(saved).toMatch(/stopBits: 1/);
  }, 120_000);
});
