import { loadConfigFile } from "../config/load.js";
import { listCertificates, stateDirOf, trustCertificate, untrustCertificate } from "../sources/opcua/pki.js";

export const OPCUA_USAGE = `Usage: tidegate-agent opcua certs [--config <file>]
         OPC UA server certificates: pending ones (refused until trusted) and trusted ones, by SHA-1 fingerprint
       tidegate-agent opcua trust <fingerprint> [--config <file>]
         trust a pending server certificate (8 or more hex digits of its fingerprint); the agent
         connects on its next retry, without a restart
       tidegate-agent opcua untrust <fingerprint> [--config <file>]
         move a trusted server certificate back to the pending ones: the agent's next connect to
         that server is refused until it is trusted again`;

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
    (sub !== "certs" && sub !== "trust" && sub !== "untrust") ||
    extra.length > 0 ||
    (sub !== "certs") !== (fingerprint !== undefined)
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
  try {
    const entry = await (sub === "trust" ? trustCertificate : untrustCertificate)(
      stateDir,
      fingerprint as string,
    );
    print(
      sub === "trust" ? `trusted ${entry.fingerprint}` : `pending ${entry.fingerprint} (no longer trusted)`,
    );
    return 0;
  } catch (err) {
    // A fingerprint that names nothing is the user's mistake: the message says what to do, no stack.
    if ((err as Error).name !== "TrustError") throw err;
    console.error((err as Error).message);
    return 1;
  }
}
