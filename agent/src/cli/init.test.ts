import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAuthStore } from "@tidegate/http-kit";
import { afterEach, beforeEach, expect, it } from "vitest";
import { initAgent } from "./init.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-init-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it("writes a new gateway's config from the example and creates the admin with the given password", async () => {
  // The shipped example keeps its buffer in /var/lib/tidegate; a stand-in keeps this test in its dir.
  const example = join(dir, "example.yaml");
  writeFileSync(example, "version: 1\ngateway: from-example\nbuffer: { path: buffer.db }\ndevices: []\n");
  writeFileSync(join(dir, "pw"), "a long password\n");
  const lines: string[] = [];
  const config = join(dir, "etc", "agent.yaml");
  const code = await initAgent(
    ["--config", config, "--admin", "ops", "--password-file", join(dir, "pw")],
    (l) => lines.push(l),
    {
      example,
    },
  );
  expect(code).toBe(0);
  expect(readFileSync(config, "utf8")).toContain("gateway: from-example");
  expect(lines.join("\n")).toContain("written from the example");
  expect(lines.join("\n")).not.toContain("password:");
  const store = openAuthStore(join(dir, "etc", "auth.db"));
  expect(store.getUser("ops")?.role).toBe("admin");
  store.close();
});

it("the shipped example config is valid and says where the users live", async () => {
  const example = readFileSync(new URL("../../config.example.yaml", import.meta.url), "utf8");
  expect(example).toContain("tidegate-agent init");
});
