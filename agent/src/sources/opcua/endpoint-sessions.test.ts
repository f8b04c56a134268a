import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProfiles, type OpcuaProfile } from "@tidegate/profiles";
import { type OpcuaSimulator, startOpcuaSimulator } from "@tidegate/simulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../../../test/e2e/helpers/wait.js";
import { browseNode } from "./browse.js";
import { createEndpointSessions } from "./endpoint-sessions.js";

// Sessions counted on a real node-opcua server (tidegate-sim) on loopback.

let sim: OpcuaSimulator;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-endpoint-sessions-"));
  sim = await startOpcuaSimulator({
    profile: loadProfiles().get("generic/opcua-machine") as OpcuaProfile,
    pkiDir: join(dir, "sim"),
  });
}, 60_000);
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const anonymous = () =>
  ({
    endpoint: sim.endpointUrl,
    securityMode: "None",
    securityPolicy: "Basic256Sha256",
    auth: { type: "anonymous" },
  }) as const;

describe("the commissioning browser's sessions", () => {
  it("serves successive browses of one endpoint from one session, and replaces one the server dropped", async () => {
    const sessions = createEndpointSessions({ stateDir: join(dir, "agent") });
    try {
      const before = sim.sessionCounts().created;
      const top = await sessions.use(anonymous(), (s) => browseNode(s, "i=85"));
      const tags = top.find((n) => n.browseName === "Tags")?.nodeId as string;
      for (let i = 0; i < 4; i++) {
        const inner = await sessions.use(anonymous(), (s) => browseNode(s, tags));
        expect(inner.some((n) => n.browseName === "Program")).toBe(true);
      }
      expect(sim.sessionCounts()).toEqual({ created: before + 1, open: 1 });

      sim.dropSessions();
      const again = await sessions.use(anonymous(), (s) => browseNode(s, tags));
      expect(again.some((n) => n.browseName === "Program")).toBe(true);
      expect(sim.sessionCounts().created).toBe(before + 2);
      expect(sessions.size()).toBe(1);
    } finally {
      await sessions.closeAll();
    }
    expect(sessions.size()).toBe(0);
    await waitFor("the server to see the session closed", () => sim.sessionCounts().open === 0, 10_000);
  }, 60_000);

  it("closes a session left unused for idleMs, and keeps it across a caller's mistake", async () => {
    const sessions = createEndpointSessions({ stateDir: join(dir, "agent"), idleMs: 300 });
    try {
      const before = sim.sessionCounts().created;
      await expect(sessions.use(anonymous(), (s) => browseNode(s, "no such node"))).rejects.toThrow(
        /is not a NodeId/,
      );
      await sessions.use(anonymous(), (s) => browseNode(s, "i=85"));
      expect(sim.sessionCounts().created).toBe(before + 1);
      await waitFor("the idle session closed", () => sessions.size() === 0, 10_000);
      await waitFor("the server to see it closed", () => sim.sessionCounts().open === 0, 10_000);
    } finally {
      await sessions.closeAll();
    }
  }, 60_000);
});
