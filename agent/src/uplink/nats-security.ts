import type { ConnectionOptions } from "@nats-io/transport-node";
import { natsSecurityOptions } from "@tidegate/node-kit";
import type { AgentConfig } from "../config/schema.js";
import { resolveSecret } from "../config/secrets.js";

/** The agent's NATS credentials and TLS settings as connection options; secrets are read here, at start. */
export function agentNatsSecurity(
  nats: AgentConfig["nats"],
  env: NodeJS.ProcessEnv = process.env,
): Partial<ConnectionOptions> {
  const secret = (key: "password" | "token" | "nkeySeed") => {
    const ref = nats[key];
    return ref === undefined ? undefined : resolveSecret(ref, `nats.${key}`, env);
  };
  return natsSecurityOptions(
    {
      user: nats.user,
      password: secret("password"),
      token: secret("token"),
      nkeySeed: secret("nkeySeed"),
      credsFile: nats.credsFile,
      tls: nats.tls,
    },
    "nats",
  );
}
