import type { Auth } from "@tidegate/http-kit";
import { Hono } from "hono";
import { storeUserCertificate, userCertUploadSchema } from "../commission/opcua/user-certs.js";
import { type EndpointTarget, endpointBrowseSchema } from "../sources/opcua/config.js";
import { UserCertificateError, userCertificateOutsideRoots } from "../sources/opcua/user-cert.js";
import { issuesText } from "./issues-text.js";

/** The commissioning browser's way into a server nobody has configured yet (loaded with node-opcua on first use). */
export interface OpcuaEndpointTools {
  browse(target: EndpointTarget, node: string): Promise<unknown>;
  /** Where uploaded user certificates are kept: `secrets.d/` beside the config file (decision 48). */
  secretsDir?: string;
  /** The only folders whose certificate and key files a browse may name (userCertificateOutsideRoots). */
  certRoots?: readonly string[];
}

const UPLOAD_HELP =
  'expected JSON { "name": "line2-operator", "cert": "-----BEGIN CERTIFICATE-----…", "key": "-----BEGIN PRIVATE KEY-----…" }';

const BROWSE_HELP =
  'expected JSON { "endpoint": "opc.tcp://host:4840", "securityMode"?: "None" | "Sign" | "SignAndEncrypt", "securityPolicy"?: "Basic256Sha256" | …, "auth"?: { "type": "anonymous" } | { "type": "username", "username", "password" } | { "type": "certificate", "cert": "/abs/user.pem", "key": { "file": "/abs/user.key" } }, "node"?: "i=85" }';

/**
 * Browsing an endpoint one level at a time (operator): each click is its own short session, so
 * the page holds no connection to a PLC once the technician walks away.
 */
export function opcuaEndpointRoutes(auth: Auth, tools: OpcuaEndpointTools | undefined): Hono {
  const app = new Hono();
  app.post("/api/v1/commission/opcua/browse", auth.need("operator"), async (c) => {
    const parsed = endpointBrowseSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success)
      return c.json(
        {
          error: `${issuesText(parsed.error)}. ${BROWSE_HELP}`,
        },
        400,
      );
    if (!tools) return c.json({ error: "OPC UA browsing is not available in this agent" }, 404);
    const { node, ...target } = parsed.data;
    const outside = tools.certRoots && userCertificateOutsideRoots(target.auth, tools.certRoots);
    if (outside) return c.json({ error: outside }, 400);
    try {
      return c.json({ endpoint: target.endpoint, node, nodes: await tools.browse(target, node) });
    } catch (err) {
      const e = err as Error & { status?: number; certificate?: unknown };
      if (e.name === "UntrustedServerError")
        return c.json({ error: e.message, certificate: e.certificate }, 409);
      if (e.name === "BrowseError") return c.json({ error: e.message }, e.status === 503 ? 503 : 400);
      return c.json({ error: `browse failed: ${e.message}` }, 502);
    }
  });

  // The PEM texts go to files and nowhere else: the answer, the log and the audit name the pair.
  app.post("/api/v1/commission/opcua/user-certs", auth.need("operator"), async (c) => {
    const parsed = userCertUploadSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: `${issuesText(parsed.error)}. ${UPLOAD_HELP}` }, 400);
    if (!tools?.secretsDir) return c.json({ error: "OPC UA browsing is not available in this agent" }, 404);
    try {
      const stored = storeUserCertificate(tools.secretsDir, parsed.data);
      auth.audit(c, "opcua.user-cert", {
        target: stored.name,
        detail: `${stored.subject} ${stored.fingerprint}`,
      });
      return c.json(stored);
    } catch (err) {
      if (err instanceof UserCertificateError) return c.json({ error: err.message }, 400);
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      return c.json(
        {
          error: `cannot keep the certificate in ${tools.secretsDir} (${code}); it must be a folder the agent may write`,
        },
        500,
      );
    }
  });
  return app;
}
