import { useState } from "preact/hooks";
import type { Role } from "../auth/session.js";
import { AdminError } from "./AdminError.js";
import { AdminTable } from "./AdminTable.js";
import { type AdminUser, adminApi } from "./admin-api.js";
import { RoleSelect } from "./RoleSelect.js";
import { ta, when } from "./strings.js";
import { act, useAdminData } from "./useAdminData.js";

const value = (e: Event) => (e.target as HTMLInputElement).value;

function AddUser(props: { onAdd: (name: string, role: Role, password: string) => void }) {
  const s = ta();
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [password, setPassword] = useState("");
  return (
    <form
      class="admin-form"
      onSubmit={(e) => {
        e.preventDefault();
        props.onAdd(name.trim(), role, password);
        setName("");
        setPassword("");
      }}
    >
      <label>
        {s.name}
        <input name="new-user" required value={name} onInput={(e) => setName(value(e))} />
      </label>
      <RoleSelect label={s.role} shown value={role} onChange={setRole} />
      <label>
        {s.password}
        <input
          name="new-password"
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onInput={(e) => setPassword(value(e))}
        />
      </label>
      <button type="submit">{s.add}</button>
    </form>
  );
}

function UserRow(props: {
  user: AdminUser;
  run: (a: () => Promise<unknown>) => void;
  onSessions: (name: string) => void;
}) {
  const s = ta();
  const u = props.user;
  const [reset, setReset] = useState<string | undefined>(undefined);
  return (
    <tr data-testid={`user-${u.name}`}>
      <td>{u.name}</td>
      <td>
        <RoleSelect
          label={`${s.role} ${u.name}`}
          value={u.role}
          onChange={(role) => props.run(() => adminApi.changeUser(u.name, { role }))}
        />
      </td>
      <td>
        <span class={`badge ${u.disabledAt === null ? "badge-ok" : "badge-bad"}`}>
          {u.disabledAt === null ? s.active : s.disabled}
        </span>
      </td>
      <td>{when(u.createdAt)}</td>
      <td class="admin-actions">
        <button
          type="button"
          onClick={() => props.run(() => adminApi.changeUser(u.name, { disabled: u.disabledAt === null }))}
        >
          {u.disabledAt === null ? s.disable : s.enable}
        </button>
        {reset === undefined ? (
          <button type="button" onClick={() => setReset("")}>
            {s.resetPassword}
          </button>
        ) : (
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              props.run(() => adminApi.changeUser(u.name, { password: reset }));
              setReset(undefined);
            }}
          >
            <input
              type="password"
              aria-label={`${s.newPassword} ${u.name}`}
              autoComplete="new-password"
              required
              value={reset}
              onInput={(e) => setReset(value(e))}
            />
            <button type="submit">{s.save}</button>
            <button type="button" onClick={() => setReset(undefined)}>
              {s.cancel}
            </button>
          </form>
        )}
        <button type="button" onClick={() => props.onSessions(u.name)}>
          {s.sessions}
        </button>
      </td>
    </tr>
  );
}

/** Users: add, change the role, reset the password, disable or enable, and open their sessions. */
export function UsersPanel(props: { onSessions: (name: string) => void }) {
  const s = ta();
  const users = useAdminData(adminApi.users);
  const run = act(users.setError, users.reload);
  return (
    <section class="panel admin-panel" aria-label={s.tabs.users}>
      <AdminError message={users.error} />
      <AddUser onAdd={(name, role, password) => run(() => adminApi.addUser(name, role, password))} />
      <AdminTable heads={[s.name, s.role, s.status, s.created, s.actions]}>
        {users.data?.map((u) => (
          <UserRow key={u.name} user={u} run={run} onSessions={props.onSessions} />
        ))}
      </AdminTable>
    </section>
  );
}
