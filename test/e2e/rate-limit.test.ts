import { describe, expect, it } from "vitest";
import { apiFetch } from "./helpers/auth.js";
import { deferredCleanup } from "./helpers/cleanup.js";
import { startNatsServer } from "./helpers/nats.js";
import { startCollector } from "./helpers/tidegate.js";

// The API's rate limits on the built collector, over a real socket: set by TIDEGATE_API_RATE_LIMIT
// (as a container would), per token and twice that per client address.

const defer = deferredCleanup();

describe("API rate limits", () => {
  it("answer 429 with Retry-After past a token's limit, then past the address's, with a message", async () => {
    const nats = await startNatsServer();
    defer(nats.dispose);
    const collector = await startCollector(nats.url, { env: { TIDEGATE_API_RATE_LIMIT: "5" } });
    defer(collector.stop);
    // The start-up wait already asked /api/v1/info once, with the same token, from this address.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await apiFetch(`${collector.url}/api/v1/gateways`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    const over = await apiFetch(`${collector.url}/api/v1/gateways`);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await over.json()) as { error: string }).error).toMatch(
      /at most 5 per 10 s; try again in \d+ s/,
    );

    // Anonymous calls from the same address count toward its limit of 10 (7 so far).
    const info = async () => (await fetch(`${collector.url}/api/v1/info`)).status;
    expect([await info(), await info(), await info()]).toEqual([200, 200, 200]);
    const byAddress = await fetch(`${collector.url}/api/v1/info`);
    expect(byAddress.status).toBe(429);
    expect(((await byAddress.json()) as { error: string }).error).toContain("address 127.0.0.1");
    // Health checks stay open to supervisors whatever the API's limits.
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
  });
});
