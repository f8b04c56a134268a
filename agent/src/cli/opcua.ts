import { loadConfigFile } from "../config/load.js";
import { listCertificates, stateDirOf, trustCertificate } from "../sources/opcua/pki.js";

export const OPCUA_USAGE = `Usage: tidegate-agent opcua certs [--config <file>]
         OPC UA server certificates: pending ones (refused until trusted) and trusted ones, by SHA-1 fingerprint
       tidegate-agent opcua trust <fingerprint> [--config <file>]
         trust a pending server certificate (8 or more hex digits of its fingerprint); the agent
         connects on its next retry, without a restart`;

/** `tidegate-agent opcua …`: the trust store beside the buffer of the config's agent. */
export async function runOpcuaCommand(
  args: string[],
  print = (line: string) => console.log(line),
): Promise<number> {
  const at = args.findIndex((a) => a === "--config" || a === "-c");
  const configFile = at >= 0 && args[at + 1] ? (args[at + 1] as string) : "tidegate-agent.yaml";
  const words = args.filter((_, i) => i !== at && i !== at + 1);
  const [sub, fingerprint, ...extra] = words;
  if (
    (sub !== "certs" && sub !== "trust") ||
    extra.length > 0 ||
    (sub === "trust") !== (fingerprint !== undefined)
  ) {
    console.error(OPCUA_USAGE);
    return 2;
  }
  const stateDir = stateDirOf(loadConfigFile(configFile).config.buffer.path);
  if (sub === "certs") {
    const certs = listCertificates(stateDir);
    if (certs.length === 0)
      print("no OPC UA server certificates yet (they appear after the agent first connects)");
    for (const c of certs)
      print(`${c.status === "rejected" ? "pending " : "trusted "} ${c.fingerprint}  ${c.file}`);
    return 0;
  }
  const entry = await trustCertificate(stateDir, fingerprint as string);
  print(`trusted ${entry.fingerprint}`);
  return 0;
}
