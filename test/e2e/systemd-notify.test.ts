import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deferredCleanup } from "./helpers/cleanup.js";
import { startNatsServer } from "./helpers/nats.js";
import { type NotifySocket, startNotifySocket } from "./helpers/notify-socket.js";
import { meterAgentConfig, startMeter } from "./helpers/system.js";
import { type Restartable, startAgent, startCollector } from "./helpers/tidegate.js";
import { waitFor } from "./helpers/wait.js";

// The built programs under a pretend systemd: NOTIFY_SOCKET is a real unix datagram socket, and
// the messages arrive through the real systemd-notify, as they would with Type=notify and
// NotifyAccess=all. WATCHDOG_USEC is short so pings come quickly.

const defer = deferredCleanup();

async function notifyEnv() {
  const socket = await startNotifySocket();
  defer(() => socket.close());
  return { socket, env: { NOTIFY_SOCKET: socket.path, WATCHDOG_USEC: "400000" } };
}

const has = (socket: NotifySocket, field: string) => socket.messages().some((m) => m.includes(field));

/**
 * SIGTERM once /readyz says 200, and expect a clean exit. (A collector stopped while it is still
 * setting up its consumer does not exit: a separate problem, kept out of these tests.)
 */
async function stopWhenReady(program: Restartable) {
  await waitFor(
    () => `${program.url}/readyz 200\n${program.output()}`,
    async () => (await fetch(`${program.url}/readyz`)).status === 200,
  );
  expect(await program.kill("SIGTERM")).toBe(0);
}

async function expectLifecycle(socket: NotifySocket, program: Restartable) {
  await waitFor(
    () => `READY=1 and WATCHDOG=1, got ${JSON.stringify(socket.messages())}\n${program.output()}`,
    () => has(socket, "READY=1") && has(socket, "WATCHDOG=1"),
  );
  const ready = socket.messages().find((m) => m.includes("READY=1")) ?? [];
  expect(ready.some((f) => f.startsWith("STATUS=") && f.includes(String(program.port)))).toBe(true);

  await stopWhenReady(program);
  await waitFor(
    () => `STOPPING=1, got ${JSON.stringify(socket.messages())}`,
    () => has(socket, "STOPPING=1"),
  );
}

describe("systemd notifications", () => {
  it("the agent says READY=1 once it polls and serves, pings the watchdog, and says STOPPING=1", async () => {
    const nats = await startNatsServer();
    defer(() => nats.dispose());
    const meter = await startMeter(3);
    defer(() => meter.close());
    const { socket, env } = await notifyEnv();
    const agent = await startAgent(
      meterAgentConfig({ gateway: "notify-1", natsUrl: nats.url, meterPort: meter.port }),
      {
        env,
      },
    );
    defer(() => agent.stop());
    await expectLifecycle(socket, agent);
  });

  it("the collector says READY=1 once it serves, pings the watchdog, and says STOPPING=1", async () => {
    const nats = await startNatsServer();
    defer(() => nats.dispose());
    const { socket, env } = await notifyEnv();
    const collector = await startCollector(nats.url, { env });
    defer(() => collector.stop());
    await expectLifecycle(socket, collector);
  });

  it("without systemd-notify the program still runs, and says once what to install", async () => {
    const nats = await startNatsServer();
    defer(() => nats.dispose());
    const { env } = await notifyEnv();
    const bin = mkdtempSync(join(tmpdir(), "tidegate-path-"));
    defer(() => rmSync(bin, { recursive: true, force: true }));
    symlinkSync(process.execPath, join(bin, "node")); // node, but no systemd-notify, on PATH
    const collector = await startCollector(nats.url, { env: { ...env, PATH: bin } });
    defer(() => collector.stop());
    await waitFor(
      () => `the warning\n${collector.output()}`,
      () => collector.output().match(/cannot notify systemd/g)?.length === 1,
    );
    expect(collector.output()).toContain("install the systemd package");
    await stopWhenReady(collector);
  });
});
