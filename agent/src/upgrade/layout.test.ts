import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findLayout, LayoutError, pruneVersions, rollBack, switchTo } from "./layout.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** install.sh's layout in a temporary folder, with version 1.0.0 running. */
function installed() {
  const root = mkdtempSync(join(tmpdir(), "tidegate-layout-"));
  dirs.push(root);
  const versions = join(root, "opt/tidegate/versions/agent");
  mkdirSync(join(versions, "1.0.0/dist"), { recursive: true });
  writeFileSync(join(versions, "1.0.0/dist/cli.js"), "");
  symlinkSync("1.0.0", join(versions, "current"));
  symlinkSync("versions/agent/current", join(root, "opt/tidegate/agent"));
  mkdirSync(join(root, "usr/local/bin"), { recursive: true });
  symlinkSync("../../../opt/tidegate/agent/dist/cli.js", join(root, "usr/local/bin/tidegate-agent"));
  return { root, versions, program: join(root, "usr/local/bin/tidegate-agent") };
}

describe("the versions layout", () => {
  it("is found from the program the service starts, through its links", () => {
    const { versions, program } = installed();
    expect(findLayout({ programFile: program })).toEqual({
      dir: versions,
      current: "1.0.0",
      currentDir: join(versions, "1.0.0"),
    });
  });

  it("switches current to a new version and keeps the one before as previous", () => {
    const { versions, program } = installed();
    mkdirSync(join(versions, "2.0.0/dist"), { recursive: true });
    writeFileSync(join(versions, "2.0.0/dist/cli.js"), "");
    switchTo(findLayout({ programFile: program }), "2.0.0");
    expect(readlinkSync(join(versions, "current"))).toBe("2.0.0");
    expect(readlinkSync(join(versions, "previous"))).toBe("1.0.0");
    expect(findLayout({ programFile: program }).current).toBe("2.0.0");
    expect(() => switchTo(findLayout({ programFile: program }), "3.0.0")).toThrow(/3\.0\.0 is not installed/);
  });

  it("prunes every version but current and previous, leaving unpacks under way alone", () => {
    const { versions, program } = installed();
    for (const v of ["2.0.0", "3.0.0", ".4.0.0.partial"]) {
      mkdirSync(join(versions, v, "dist"), { recursive: true });
      writeFileSync(join(versions, v, "dist/cli.js"), "");
    }
    switchTo(findLayout({ programFile: program }), "2.0.0");
    switchTo(findLayout({ programFile: program }), "3.0.0");
    expect(pruneVersions(findLayout({ programFile: program }))).toEqual(["1.0.0"]);
    expect(readdirSync(versions).sort()).toEqual([".4.0.0.partial", "2.0.0", "3.0.0", "current", "previous"]);
    // After a rollback there is no previous: only the version running is kept.
    rollBack(findLayout({ programFile: program }));
    expect(pruneVersions(findLayout({ programFile: program }))).toEqual(["3.0.0"]);
    expect(existsSync(join(versions, "2.0.0/dist"))).toBe(true);
  });

  it("says how to get the layout when the program runs from elsewhere (a checkout)", () => {
    const root = mkdtempSync(join(tmpdir(), "tidegate-layout-"));
    dirs.push(root);
    mkdirSync(join(root, "agent/dist"), { recursive: true });
    writeFileSync(join(root, "agent/dist/cli.js"), "");
    expect(() => findLayout({ programFile: join(root, "agent/dist/cli.js") })).toThrow(LayoutError);
    expect(() => findLayout({ programFile: join(root, "agent/dist/cli.js") })).toThrow(
      /install the agent with it/,
    );
  });
});
