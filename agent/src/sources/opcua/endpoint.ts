import type { OpcuaProfile } from "@tidegate/profiles";
import {
  AttributeIds,
  type ClientSession,
  type EndpointDescription,
  MessageSecurityMode,
  OPCUAClient,
} from "node-opcua-client";
import { type BrowsedNode, BrowseError, browseNode } from "./browse.js";
import { clientOptionsOf } from "./client-options.js";
import type { EndpointTarget } from "./config.js";
import { createEndpointSessions, type EndpointSessions } from "./endpoint-sessions.js";
import { describeCertificate, type openCertificateManager, UntrustedServerError } from "./pki.js";
import { toReading } from "./readings.js";
import { asDataValueLike, bindPoints } from "./session.js";

const firstLine = (err: unknown) => ((err as Error).message || String(err)).split("\n")[0] as string;

// One pool per trust store (the agent has one; tests may have several).
const pools = new Map<string, EndpointSessions>();

/**
 * A session with a server nobody has configured yet (the commissioning page), reused by the next
 * click for a while (endpoint-sessions.ts). With Sign or SignAndEncrypt, the server's certificate
 * is checked against the trust store first, from its endpoint list, so an unknown one comes back
 * as the certificate to show, not as a failed handshake; checking it files it under rejected/,
 * where `trust` finds it.
 */
export function withEndpointSession<T>(
  target: EndpointTarget,
  o: { stateDir: string; timeoutMs?: number },
  fn: (session: ClientSession) => Promise<T>,
): Promise<T> {
  let pool = pools.get(o.stateDir);
  if (!pool) {
    pool = createEndpointSessions({
      stateDir: o.stateDir,
      checkServer: checkServerCertificate,
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    });
    pools.set(o.stateDir, pool);
  }
  return pool.use(target, fn);
}

/** Closes every cached browse session: at shutdown, and after a trust change (the next browse checks again). */
export async function closeEndpointSessions(): Promise<void> {
  await Promise.all([...pools.values()].map((p) => p.closeAll()));
}

async function checkServerCertificate(
  target: EndpointTarget,
  cm: Awaited<ReturnType<typeof openCertificateManager>>,
  timeoutMs: number,
) {
  const probe = OPCUAClient.create({
    ...clientOptionsOf({ securityMode: "None", securityPolicy: target.securityPolicy }, cm, timeoutMs),
  });
  let endpoints: EndpointDescription[];
  try {
    await probe.connect(target.endpoint);
    endpoints = await probe.getEndpoints();
  } catch (err) {
    throw new BrowseError(`cannot connect to ${target.endpoint}: ${firstLine(err)}`, 503);
  } finally {
    await probe.disconnect().catch(() => {});
  }
  const mode = MessageSecurityMode[target.securityMode];
  const offered = endpoints.find(
    (e) => e.securityMode === mode && e.securityPolicyUri?.endsWith(`#${target.securityPolicy}`),
  );
  if (!offered)
    throw new BrowseError(
      `${target.endpoint} offers no endpoint with ${target.securityMode} and ${target.securityPolicy}; it offers: ${endpoints
        .map((e) => `${MessageSecurityMode[e.securityMode]} ${e.securityPolicyUri?.split("#")[1] ?? ""}`)
        .join(", ")}`,
    );
  const der = offered.serverCertificate;
  if (!der || der.length === 0)
    throw new BrowseError(`${target.endpoint} sends no certificate with ${target.securityMode}`, 503);
  const status = await cm.checkCertificate(der);
  if (!status.isGood()) throw new UntrustedServerError(describeCertificate(der), status.name);
}

/** One level of the address space under `node`. */
export function browseEndpoint(
  target: EndpointTarget,
  node: string,
  o: { stateDir: string },
): Promise<BrowsedNode[]> {
  return withEndpointSession(target, o, (session) => browseNode(session, node));
}

/**
 * The candidate's points read `cycles` times, `gapMs` apart, each as the running source would
 * make it a reading: what the preview shows before a device is added.
 */
export function readEndpointPoints(
  target: EndpointTarget,
  profile: OpcuaProfile,
  o: { stateDir: string; cycles: number; gapMs: number; device: string },
) {
  return withEndpointSession(target, o, async (session) => {
    const bindings = await bindPoints(session, profile);
    const cycles: {
      at: string;
      readings: ReturnType<typeof toReading>[];
      unbound: { point: string; reason: string }[];
    }[] = [];
    const bound = bindings.flatMap((b) => ("nodeId" in b ? [b] : []));
    const unbound = bindings.flatMap((b) => ("error" in b ? [{ point: b.point.id, reason: b.error }] : []));
    for (let i = 0; i < o.cycles; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, o.gapMs));
      const dvs =
        bound.length === 0
          ? []
          : await session.read(bound.map((b) => ({ nodeId: b.nodeId, attributeId: AttributeIds.Value })));
      cycles.push({
        at: new Date().toISOString(),
        readings: dvs.map((dv, j) =>
          toReading(o.device, (bound[j] as (typeof bound)[number]).point, asDataValueLike(dv)),
        ),
        unbound,
      });
    }
    return cycles;
  });
}
