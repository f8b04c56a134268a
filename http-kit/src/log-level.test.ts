import { Hono } from "hono";
import { expect, it } from "vitest";
import { useAuth } from "./auth/index.js";
import { testAuthStore } from "./auth/testing.js";
import { mountLogLevelRoutes } from "./log-level.js";

it("admins read and change the log level at run time, audited; bad levels get a 400", async () => {
  const { store, headers } = testAuthStore();
  const app = new Hono();
  const auth = useAuth(app, { store });
  const logger = { level: "info" };
  mountLogLevelRoutes(app, auth, logger);
  const put = (level: string, who: Record<string, string>) =>
    app.request("/api/v1/log-level", {
      method: "PUT",
      headers: { ...who, "content-type": "application/json" },
      body: JSON.stringify({ level }),
    });
  expect((await put("debug", headers.operator)).status).toBe(403);
  expect((await put("chatty", headers.admin)).status).toBe(400);
  const res = await put("debug", headers.admin);
  expect(await res.json()).toEqual({ level: "debug", was: "info" });
  expect(logger.level).toBe("debug");
  expect(await (await app.request("/api/v1/log-level", { headers: headers.admin })).json()).toEqual({
    level: "debug",
  });
  expect(store.auditLog({ action: "log-level" }).map((e) => e.detail)).toEqual(["info -> debug"]);
});
