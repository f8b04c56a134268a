import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repo, verifyUnits } from "./helpers/install.js";

// The units as systemd reads them. The programs are not installed here, so verify runs on copies
// whose /usr/local/bin/ points at stand-in executables (install.test.ts verifies the unit that
// install.sh put in place, with the real program).

const bin = mkdtempSync(join(tmpdir(), "tidegate-bin-"));
afterAll(() => rmSync(bin, { recursive: true, force: true }));
for (const program of ["tidegate-agent", "tidegate-collector"]) {
  writeFileSync(join(bin, program), "#!/bin/sh\nexit 0\n");
  chmodSync(join(bin, program), 0o755);
}
const unitFile = (app: string) => join(repo, `systemd/tidegate-${app}.service`);

/** The unit's settings: key -> every value it is given, comments skipped. */
function settings(file: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) map.set(m[1] as string, [...(map.get(m[1] as string) ?? []), m[2] as string]);
  }
  return map;
}

describe("systemd units", () => {
  it("pass systemd-analyze verify without a warning", async () => {
    const { code, output } = await verifyUnits([unitFile("agent"), unitFile("collector")], bin);
    expect(output).toBe("");
    expect(code).toBe(0);
  });

  it("verify does report a broken unit, so its silence above means something", async () => {
    const broken = join(bin, "tidegate-broken.service");
    writeFileSync(broken, readFileSync(unitFile("agent"), "utf8").replace("Type=notify", "Type=notfy"));
    const { output } = await verifyUnits([broken], bin);
    expect(output).toMatch(/Failed to parse service type.*notfy/);
  });

  it.each(["agent", "collector"])(
    "the %s is notify-type with a watchdog, restarts, and is hardened",
    (app) => {
      const s = settings(unitFile(app));
      expect(s.get("Type")).toEqual(["notify"]);
      expect(s.get("NotifyAccess")).toEqual(["all"]); // systemd-notify is a child process
      expect(s.get("WatchdogSec")).toEqual(["30"]);
      expect(s.get("Restart")).toEqual(["always"]);
      expect(s.get("RestartPreventExitStatus")).toEqual(["2"]);
      expect(s.get("User")).toEqual(["tidegate"]);
      for (const key of ["NoNewPrivileges", "PrivateTmp", "ProtectHome"])
        expect(s.get(key)).toEqual(["true"]);
      expect(s.get("ProtectSystem")).toEqual(["strict"]);
      // The agent also writes the devices added on its commissioning page (decision 32) and its
      // versions folder, where agent.upgrade adds a version (docs/upgrades.md).
      expect(s.get("ReadWritePaths")).toEqual(
        app === "agent"
          ? [
              "/var/lib/tidegate",
              "-/etc/tidegate/devices.d",
              "-/etc/tidegate/profiles.d",
              "-/opt/tidegate/versions/agent",
            ]
          : ["/var/lib/tidegate"],
      );
      expect(s.get("ExecStart")?.[0]).toMatch(new RegExp(`^/usr/local/bin/tidegate-${app}\\b`));
    },
  );

  it("the agent may open serial ports and checks its config before it starts", () => {
    const s = settings(unitFile("agent"));
    expect(s.get("SupplementaryGroups")).toEqual(["dialout"]);
    expect(s.get("ExecStartPre")).toEqual([
      "/usr/local/bin/tidegate-agent check --config /etc/tidegate/agent.yaml",
    ]);
    expect(s.get("ExecStart")).toEqual(["/usr/local/bin/tidegate-agent --config /etc/tidegate/agent.yaml"]);
  });
});
