import { AdminError } from "./AdminError.js";
import { AdminTable } from "./AdminTable.js";
import { adminApi } from "./admin-api.js";
import { ta, when } from "./strings.js";
import { act, useAdminData } from "./useAdminData.js";

/** A user's open sessions: where and since when, and signing one or all of them out. */
export function SessionsPanel(props: { user: string | undefined; onUser: (name: string) => void }) {
  const s = ta();
  const users = useAdminData(adminApi.users);
  const name = props.user ?? users.data?.[0]?.name;
  const sessions = useAdminData(async () => (name ? adminApi.sessions(name) : []), [name]);
  const run = act(sessions.setError, sessions.reload);
  return (
    <section class="panel admin-panel" aria-label={s.tabs.sessions}>
      <AdminError message={sessions.error ?? users.error} />
      <div class="admin-form">
        <label>
          {s.sessionsOf}
          <select
            name="sessions-user"
            value={name}
            onChange={(e) => props.onUser((e.target as HTMLSelectElement).value)}
          >
            {users.data?.map((u) => (
              <option key={u.name} value={u.name}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          disabled={!name || sessions.data?.length === 0}
          onClick={() => name && run(() => adminApi.endSessions(name))}
        >
          {s.signOutAll}
        </button>
      </div>
      <AdminTable heads={[s.created, s.lastSeen, s.address, s.browser, s.actions]}>
        {sessions.data?.map((x) => (
          <tr key={x.id} data-testid="session-row">
            <td>{when(x.createdAt)}</td>
            <td>{when(x.lastSeenAt)}</td>
            <td>{x.ip ?? ""}</td>
            <td class="session-agent">
              {x.agent ?? ""}
              {x.current && <span class="badge badge-neutral"> {s.thisSession}</span>}
            </td>
            <td>
              <button type="button" onClick={() => name && run(() => adminApi.endSession(name, x.id))}>
                {s.signOut}
              </button>
            </td>
          </tr>
        ))}
      </AdminTable>
      {sessions.data?.length === 0 && <p class="notice">{s.noSessions}</p>}
    </section>
  );
}
