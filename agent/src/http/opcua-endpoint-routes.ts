import type { Auth } from "@tidegate/http-kit";
import { Hono } from "hono";
import { type EndpointTarget, endpointBrowseSchema } from "../sources/opcua/config.js";

/** The commissioning browser's way into a server nobody has configured yet (loaded with node-opcua on first use). */
export interface OpcuaEndpointTools {
  browse(target: EndpointTarget, node: string): Promise<unknown>;
}

const BROWSE_HELP =
  'expected JSON { "endpoint": "opc.tcp://host:4840", "securityMode"?: "None" | "Sign" | "SignAndEncrypt", "securityPolicy"?: "Basic256Sha256" | …, "auth"?: { "type": "anonymous" } | { "type": "username", "username", "password" }, "node"?: "i=85" }';

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
          error: `${parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ")}. ${BROWSE_HELP}`,
        },
        400,
      );
    if (!tools) return c.json({ error: "OPC UA browsing is not available in this agent" }, 404);
    const { node, ...target } = parsed.data;
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
  return app;
}
