import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testAuthStore } from "@tidegate/http-kit/testing";
import { afterAll, describe, expect, it } from "vitest";
import { createCollectorApp } from "../http/app.js";
import { openSqliteStore } from "../store/sqlite-store.js";
import { loadBranding } from "./branding.js";

const dir = mkdtempSync(join(tmpdir(), "tidegate-branding-"));
const store = openSqliteStore(join(dir, "c.db"));
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>';

function file(name: string, text: string) {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const app = (branding?: ReturnType<typeof loadBranding>) =>
  createCollectorApp({ store, version: "t", auth: { store: testAuthStore().store }, branding });

describe("branding file", () => {
  it("serves the name, colours, footer and the logo to anyone, before sign-in", async () => {
    file("acme.svg", LOGO);
    const branding = loadBranding(
      file(
        "branding.yaml",
        [
          "productName: Acme Edge",
          "logo: acme.svg",
          "colors: { primary: '#7a1f5c', accent: '#f2a900' }",
          "footer: { text: Acme support, url: 'https://support.acme.example/' }",
        ].join("\n"),
      ),
    );
    const a = app(branding);
    const answer = await a.request("/api/v1/branding");
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({
      productName: "Acme Edge",
      logoUrl: "api/v1/branding/logo",
      colors: { primary: "#7a1f5c", accent: "#f2a900" },
      footer: { text: "Acme support", url: "https://support.acme.example/" },
    });
    const logo = await a.request("/api/v1/branding/logo");
    expect(logo.status).toBe(200);
    expect(logo.headers.get("content-type")).toBe("image/svg+xml");
    expect(logo.headers.get("content-security-policy")).toContain("script-src 'self';");
    expect(await logo.text()).toBe(LOGO);
  });

  it("stays Tidegate without a file, and has no logo then", async () => {
    const a = app();
    expect(await (await a.request("/api/v1/branding")).json()).toEqual({ productName: "Tidegate" });
    expect((await a.request("/api/v1/branding/logo")).status).toBe(404);
  });

  it("errors name the file, the path and what was expected", () => {
    const bad = file(
      "bad.yaml",
      "productName: X\ncolors: { primary: red }\nfooter: { text: Help, url: 'javascript:alert(1)' }\n",
    );
    expect(() => loadBranding(bad)).toThrow(
      `${bad}: invalid branding file\n  at colors.primary: a CSS hex colour such as #0b5cad\n  at footer.url: an http:// or https:// URL`,
    );
    const typo = file("typo.yaml", "productname: X\n");
    expect(() => loadBranding(typo)).toThrow(/at \(root\): Unrecognized key: "productname"/);
    const noLogo = file("nologo.yaml", "logo: missing.png\n");
    expect(() => loadBranding(noLogo)).toThrow(
      `${noLogo}: at logo: cannot use ${join(dir, "missing.png")}: ENOENT`,
    );
    const gif = file("gif.yaml", "logo: a.gif\n");
    expect(() => loadBranding(gif)).toThrow(
      `${gif}: at logo: expected an .svg, .png, .jpg or .webp file, found a.gif`,
    );
    expect(() => loadBranding(join(dir, "none.yaml"))).toThrow(/none.yaml: cannot read the branding file/);
  });
});
