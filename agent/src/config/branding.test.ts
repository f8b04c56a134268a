import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveBranding } from "@tidegate/http-kit";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./load.js";

const dir = mkdtempSync(join(tmpdir(), "tidegate-agent-branding-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (branding: string) => `
gateway: plant-7
branding:
${branding}
`;

describe("agent config branding:", () => {
  it("takes a name, a logo relative to the config file, colours and a footer link", () => {
    writeFileSync(join(dir, "logo.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const file = join(dir, "agent.yaml");
    const { config: c } = parseConfig(
      config(
        "  productName: Acme Edge\n  logo: logo.png\n  colors: { accent: '#f2a900' }\n  footer: { text: Help, url: 'https://acme.example/help' }",
      ),
      file,
    );
    expect(c.branding?.logo).toBe(join(dir, "logo.png"));
    const branding = resolveBranding(c.branding, { file, path: "branding", fail: (m) => new ConfigError(m) });
    expect(branding.answer).toEqual({
      productName: "Acme Edge",
      logoUrl: "api/v1/branding/logo",
      colors: { accent: "#f2a900" },
      footer: { text: "Help", url: "https://acme.example/help" },
    });
    expect(branding.logo?.type).toBe("image/png");
  });

  it("names the file, the path and what was expected", () => {
    expect(() => parseConfig(config("  colors: { primary: blue }"), "agent.yaml")).toThrow(
      /at branding\.colors\.primary: a CSS hex colour such as #0b5cad \(found "blue"\)/,
    );
    const file = join(dir, "agent.yaml");
    const { config: c } = parseConfig(config("  logo: gone.svg"), file);
    expect(() =>
      resolveBranding(c.branding, { file, path: "branding", fail: (m) => new ConfigError(m) }),
    ).toThrow(`${file}: at branding.logo: cannot use ${join(dir, "gone.svg")}: ENOENT`);
  });
});
