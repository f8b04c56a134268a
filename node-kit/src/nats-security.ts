import { readFileSync } from "node:fs";
import { type ConnectionOptions, credsAuthenticator, nkeyAuthenticator } from "@nats-io/nats-core";
import { TidegateError } from "@tidegate/protocol";

/**
 * How a Tidegate program proves who it is to nats-server, and checks the server in turn: one of
 * user/password, token, nkey seed or a .creds file (decentralised JWT auth), plus TLS with a CA
 * and optionally a client certificate. Values are already resolved (secrets read), files are paths.
 * Node only (`@tidegate/node-kit`).
 */
export interface NatsSecurity {
  user?: string;
  password?: string;
  token?: string;
  /** The nkey seed text (SU…), not a path. */
  nkeySeed?: string;
  /** Path of a .creds file (JWT and seed), as `nsc` writes it. */
  credsFile?: string;
  tls?: { ca?: string; cert?: string; key?: string };
}

export class NatsSecurityError extends TidegateError {
  override name = "NatsSecurityError";
  readonly code = "nats.security";
}

function readable(path: string, what: string, where: string): string {
  try {
    readFileSync(path);
    return path;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new NatsSecurityError(`${where}: cannot read the ${what} ${path} (${code})`);
  }
}

/** The nats.js connection options for `s`; `where` names the settings in errors ("nats", "--nats-creds"). */
export function natsSecurityOptions(s: NatsSecurity, where: string): Partial<ConnectionOptions> {
  const ways = [
    s.user !== undefined,
    s.token !== undefined,
    s.nkeySeed !== undefined,
    s.credsFile !== undefined,
  ];
  if (ways.filter(Boolean).length > 1)
    throw new NatsSecurityError(
      `${where}: give one of user/password, token, nkey seed or creds file, not several`,
    );
  if (s.password !== undefined && s.user === undefined)
    throw new NatsSecurityError(`${where}: a password needs a user`);
  if ((s.tls?.cert === undefined) !== (s.tls?.key === undefined))
    throw new NatsSecurityError(`${where}: a TLS client certificate needs its key, and the other way round`);
  const options: Partial<ConnectionOptions> = {};
  if (s.user !== undefined) {
    options.user = s.user;
    if (s.password !== undefined) options.pass = s.password;
  }
  if (s.token !== undefined) options.token = s.token;
  if (s.nkeySeed !== undefined)
    options.authenticator = nkeyAuthenticator(new TextEncoder().encode(s.nkeySeed.trim()));
  if (s.credsFile !== undefined)
    options.authenticator = credsAuthenticator(readFileSync(readable(s.credsFile, "creds file", where)));
  if (s.tls) {
    options.tls = {
      ...(s.tls.ca ? { caFile: readable(s.tls.ca, "CA certificate", where) } : {}),
      ...(s.tls.cert ? { certFile: readable(s.tls.cert, "client certificate", where) } : {}),
      ...(s.tls.key ? { keyFile: readable(s.tls.key, "client key", where) } : {}),
    };
  }
  return options;
}
