import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { listCertificates, pkiDir } from "../sources/opcua/pki.js";
import { runOpcuaCommand } from "./opcua.js";

// A real trust store on disk; a public CA certificate (ISRG Root X1) stands in for a server's.
const dir = mkdtempSync(join(tmpdir(), "tidegate-cli-opcua-"));
const config = join(dir, "agent.yaml");
writeFileSync(
  config,
  `version: 1\ngateway: cli-opcua\nbuffer: { path: ${join(dir, "buffer.db")} }\ndevices: []\n`,
);
mkdirSync(join(pkiDir(dir), "trusted", "certs"), { recursive: true });
copyFileSync(
  new URL("./testdata/server-cert.pem", import.meta.url),
  join(pkiDir(dir), "trusted", "certs", "server.pem"),
);
const [server] = listCertificates(dir);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = async (...args: string[]) => {
  const lines: string[] = [];
  const code = await runOpcuaCommand([...args, "--config", config], (l) => lines.push(l));
  return { code, lines };
};

describe("tidegate-agent opcua untrust", () => {
  it("moves a trusted certificate back to pending (trusting it again: opcua-endpoint-routes.test.ts)", async () => {
    expect(server?.status).toBe("trusted");
    const fp = server?.fingerprint as string;
    const untrusted = await run("untrust", fp.slice(0, 12));
    expect(untrusted).toEqual({ code: 0, lines: [`pending ${fp} (no longer trusted)`] });
    expect(listCertificates(dir).map((c) => [c.fingerprint, c.status])).toEqual([[fp, "rejected"]]);
    expect((await run("certs")).lines).toEqual([expect.stringMatching(new RegExp(`^pending +${fp} `))]);
  }, 30_000);

  it("says what is wrong with a fingerprint that names nothing, without a stack", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      expect((await run("untrust", "00000000")).code).toBe(1);
      expect(error).toHaveBeenCalledWith(
        expect.stringMatching(/no trusted certificate with fingerprint 00000000/),
      );
      expect((await run("untrust", "abc")).code).toBe(1);
      expect(error).toHaveBeenCalledWith(expect.stringMatching(/at least 8 hex digits/));
      expect((await run("untrust")).code).toBe(2);
    } finally {
      error.mockRestore();
    }
  }, 30_000);
});
