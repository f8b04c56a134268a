import { createHash } from "node:crypto";
import { type ClientSession, OPCUAClient } from "node-opcua-client";
import { BrowseError } from "./browse.js";
import { clientOptionsOf, userIdentityOf } from "./client-options.js";
import type { EndpointTarget } from "./config.js";
import { openCertificateManager } from "./pki.js";
import { checkUserCertificateFiles, UserCertificateError, userIdentityKey } from "./user-cert.js";

const firstLine = (err: unknown) => ((err as Error).message || String(err)).split("\n")[0] as string;

type CertificateManager = Awaited<ReturnType<typeof openCertificateManager>>;
interface Open {
  client: OPCUAClient;
  session: ClientSession;
  cm: CertificateManager;
}
interface Entry {
  opened: Promise<Open>;
  users: number;
  idle?: NodeJS.Timeout;
}

export interface EndpointSessionsOptions {
  stateDir: string;
  /** How long a session nobody uses stays open; default 45 s (a technician clicking through a tree). */
  idleMs?: number;
  timeoutMs?: number;
  /**
   * With Sign or SignAndEncrypt, checks the server's certificate before the secure channel (so an
   * unknown one comes back as the certificate to show); endpoint.ts gives it.
   */
  checkServer?: (target: EndpointTarget, cm: CertificateManager, timeoutMs: number) => Promise<void>;
}

/**
 * The commissioning page's sessions with servers nobody has configured yet: one per endpoint,
 * security and user, reused by successive clicks and closed after `idleMs` unused, on an error of
 * the connection or session (the next request opens a new one, once, transparently) and by
 * `closeAll` (shutdown; a trust change, so that the next browse checks the certificate again).
 */
export function createEndpointSessions(o: EndpointSessionsOptions) {
  const idleMs = o.idleMs ?? 45_000;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const entries = new Map<string, Entry>();
  // The user is part of what makes a session (a password, a certificate's files); only a hash is the key.
  const keyOf = (t: EndpointTarget) =>
    createHash("sha256")
      .update(JSON.stringify([t.endpoint, t.securityMode, t.securityPolicy, userIdentityKey(t.auth)]))
      .digest("hex");

  async function open(target: EndpointTarget): Promise<Open> {
    checkUser(target.auth);
    const cm = await openCertificateManager(o.stateDir);
    const client = OPCUAClient.create(clientOptionsOf(target, cm, timeoutMs));
    try {
      if (target.securityMode !== "None") await o.checkServer?.(target, cm, timeoutMs);
      await client.connect(target.endpoint).catch((err) => {
        throw new BrowseError(`cannot connect to ${target.endpoint}: ${firstLine(err)}`, 503);
      });
      const session = await client.createSession(userIdentityOf(target.auth, "auth")).catch((err) => {
        const who =
          target.auth.type === "certificate"
            ? ` (it does not accept the user certificate ${target.auth.cert}; its administrator must trust it for this user)`
            : "";
        throw new BrowseError(`the server refused the session: ${firstLine(err)}${who}`, 400);
      });
      return { client, session, cm };
    } catch (err) {
      await client.disconnect().catch(() => {});
      await cm.dispose().catch(() => {});
      throw err;
    }
  }

  /** A user certificate is checked here, so a wrong file is a 400 in words, not the server's refusal. */
  function checkUser(auth: EndpointTarget["auth"]) {
    if (auth.type !== "certificate") return;
    try {
      checkUserCertificateFiles(auth);
    } catch (err) {
      if (err instanceof UserCertificateError) throw new BrowseError(err.message);
      throw err;
    }
  }

  function drop(key: string, entry: Entry): Promise<void> {
    if (entries.get(key) === entry) entries.delete(key);
    clearTimeout(entry.idle);
    return entry.opened.then(
      async ({ client, session, cm }) => {
        await session.close(true).catch(() => {});
        await client.disconnect().catch(() => {});
        await cm.dispose().catch(() => {});
      },
      () => {},
    );
  }

  function entryFor(target: EndpointTarget): { key: string; entry: Entry } {
    const key = keyOf(target);
    const found = entries.get(key);
    if (found) return { key, entry: found };
    const entry: Entry = { opened: open(target), users: 0 };
    entries.set(key, entry);
    entry.opened.then(
      ({ client, session }) => {
        const gone = () => void drop(key, entry);
        client.on("connection_lost", gone);
        client.on("close", gone);
        session.on("session_closed", gone);
        session.on("keepalive_failure", gone);
      },
      () => void drop(key, entry),
    );
    return { key, entry };
  }

  async function use<T>(
    target: EndpointTarget,
    fn: (s: ClientSession) => Promise<T>,
    retry = true,
  ): Promise<T> {
    const { key, entry } = entryFor(target);
    entry.users += 1;
    clearTimeout(entry.idle);
    let session: ClientSession;
    try {
      ({ session } = await entry.opened);
    } catch (err) {
      entry.users -= 1;
      throw err;
    }
    try {
      return await fn(session);
    } catch (err) {
      // A wrong NodeId is the caller's; anything else may be a session the server dropped.
      if (err instanceof BrowseError) throw err;
      await drop(key, entry);
      if (retry) return use(target, fn, false);
      throw err;
    } finally {
      entry.users -= 1;
      if (entry.users === 0 && entries.get(key) === entry) {
        entry.idle = setTimeout(() => void drop(key, entry), idleMs);
        entry.idle.unref();
      }
    }
  }

  return {
    use,
    /** Sessions open or opening now. */
    size: () => entries.size,
    closeAll: async () => {
      await Promise.all([...entries].map(([key, entry]) => drop(key, entry)));
    },
  };
}
export type EndpointSessions = ReturnType<typeof createEndpointSessions>;
