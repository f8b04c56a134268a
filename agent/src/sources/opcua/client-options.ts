import { readFileSync } from "node:fs";
import type { OPCUACertificateManager } from "node-opcua-certificate-manager";
import { MessageSecurityMode, SecurityPolicy, type UserIdentityInfo, UserTokenType } from "node-opcua-client";
import { resolveSecret } from "../../config/secrets.js";
import type { OpcuaTransport } from "./config.js";

type Security = Pick<OpcuaTransport, "securityMode" | "securityPolicy">;

/** The client settings a source and the commissioning browser share: one retry policy, our own. */
export function clientOptionsOf(
  transport: Security,
  certificateManager: OPCUACertificateManager,
  timeoutMs: number,
) {
  const secure = transport.securityMode !== "None";
  return {
    applicationName: "Tidegate agent",
    clientCertificateManager: certificateManager,
    securityMode: MessageSecurityMode[transport.securityMode],
    securityPolicy: secure ? SecurityPolicy[transport.securityPolicy] : SecurityPolicy.None,
    endpointMustExist: false,
    keepSessionAlive: true,
    requestedSessionTimeout: 60_000,
    // Our own loop reconnects (with backoff, from scratch); node-opcua's would transfer sessions.
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    transportTimeout: Math.max(5_000, timeoutMs),
  };
}

/** The session's user: anonymous, user and password, or a user certificate; `where` names the config path in errors. */
export function userIdentityOf(auth: OpcuaTransport["auth"], where: string): UserIdentityInfo {
  if (auth.type === "anonymous") return { type: UserTokenType.Anonymous };
  if (auth.type === "certificate") {
    const pem = readFileSync(auth.cert, "utf8");
    const body = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem)?.[1];
    if (!body) throw new Error(`${where}.cert: ${auth.cert} holds no PEM certificate`);
    // As the MQTT client's key: a plain string is the PEM file's path, { file } or { env } its PEM text.
    const privateKey =
      typeof auth.key === "string" ? readFileSync(auth.key, "utf8") : resolveSecret(auth.key, `${where}.key`);
    return {
      type: UserTokenType.Certificate,
      certificateData: Buffer.from(body.replace(/\s+/g, ""), "base64"),
      privateKey,
    };
  }
  return {
    type: UserTokenType.UserName,
    userName: auth.username,
    password: resolveSecret(auth.password, `${where}.password`),
  };
}
