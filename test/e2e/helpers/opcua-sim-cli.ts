import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./ports.js";
import { type RunningProcess, startProcess } from "./process.js";
import { waitFor } from "./wait.js";

const simCli = fileURLToPath(new URL("../../../simulators/dist/cli.js", import.meta.url));

/** `tidegate-sim opcua` as a technician runs it: the built CLI, its endpoint and fingerprint read from what it prints. */
export async function startOpcuaSimCli(
  dir: string,
  o: { profile?: string; users?: string[]; userCerts?: string[] } = {},
): Promise<{ proc: RunningProcess; endpointUrl: string; fingerprint: string }> {
  const port = await freePort();
  const args = [simCli, "opcua", "--profile", o.profile ?? "generic/opcua-machine", "--port", String(port)];
  args.push("--pki-dir", join(dir, "sim-pki"), "--tick-ms", "200");
  for (const u of o.users ?? []) args.push("--user", u);
  for (const c of o.userCerts ?? []) args.push("--user-cert", c);
  const proc = startProcess("node", args);
  const line = await waitFor(
    () => `tidegate-sim opcua to listen\n${proc.output()}`,
    () =>
      /listening on (opc\.tcp:\/\/\S+) \(certificate SHA-1 ([0-9a-f]+)\)/.exec(proc.output()) ?? undefined,
    60_000,
    100,
  );
  return { proc, endpointUrl: line[1] as string, fingerprint: line[2] as string };
}
