import { useState } from "preact/hooks";
import { AuditPanel } from "./AuditPanel.js";
import { SessionsPanel } from "./SessionsPanel.js";
import { ta } from "./strings.js";
import { TokensPanel } from "./TokensPanel.js";
import { UsersPanel } from "./UsersPanel.js";

type Tab = "users" | "tokens" | "audit" | "sessions";
const TABS: Tab[] = ["users", "tokens", "audit", "sessions"];

/** The admin's pages in the fleet view: users, API tokens, the audit log and users' sessions. */
export function AdminPage() {
  const s = ta();
  const [tab, setTab] = useState<Tab>("users");
  const [sessionsOf, setSessionsOf] = useState<string | undefined>(undefined);
  return (
    <div class="admin">
      <nav class="tabs" aria-label={s.nav}>
        {TABS.map((x) => (
          <a
            key={x}
            href={`#/admin/${x}`}
            aria-current={tab === x ? "page" : undefined}
            data-testid={`admin-tab-${x}`}
            onClick={(e) => {
              e.preventDefault();
              setTab(x);
            }}
          >
            {s.tabs[x]}
          </a>
        ))}
      </nav>
      {tab === "users" && (
        <UsersPanel
          onSessions={(name) => {
            setSessionsOf(name);
            setTab("sessions");
          }}
        />
      )}
      {tab === "tokens" && <TokensPanel />}
      {tab === "audit" && <AuditPanel />}
      {tab === "sessions" && <SessionsPanel user={sessionsOf} onUser={setSessionsOf} />}
    </div>
  );
}
