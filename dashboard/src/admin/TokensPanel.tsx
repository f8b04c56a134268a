import { useState } from "preact/hooks";
import type { Role } from "../auth/session.js";
import { AdminError } from "./AdminError.js";
import { AdminTable } from "./AdminTable.js";
import { type AdminToken, adminApi } from "./admin-api.js";
import { RoleSelect } from "./RoleSelect.js";
import { ta, when } from "./strings.js";
import { act, useAdminData } from "./useAdminData.js";

const EXPIRY_DAYS = [7, 30, 90, 365];

function tokenState(tk: AdminToken, now: number) {
  const s = ta();
  if (tk.revokedAt !== null) return { text: s.revoked, cls: "badge-neutral" };
  if (tk.expiresAt !== null && tk.expiresAt <= now) return { text: s.expired, cls: "badge-warn" };
  return { text: s.active, cls: "badge-ok" };
}

/** API tokens: create one with a role and an expiry (its secret shown once), list them, revoke. */
export function TokensPanel() {
  const s = ta();
  const tokens = useAdminData(adminApi.tokens);
  const run = act(tokens.setError, tokens.reload);
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [days, setDays] = useState("90");
  const [secret, setSecret] = useState<string | undefined>(undefined);
  const now = Date.now();
  return (
    <section class="panel admin-panel" aria-label={s.tabs.tokens}>
      <AdminError message={tokens.error} />
      <form
        class="admin-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const made = await adminApi.createToken(
              name.trim(),
              role,
              days === "" ? undefined : Number(days),
            );
            setSecret(made.token);
            setName("");
          });
        }}
      >
        <label>
          {s.tokenName}
          <input
            name="token-name"
            required
            value={name}
            onInput={(e) => setName((e.target as HTMLInputElement).value)}
          />
        </label>
        <RoleSelect label={s.role} shown value={role} onChange={setRole} />
        <label>
          {s.expiry}
          <select
            name="token-expiry"
            value={days}
            onChange={(e) => setDays((e.target as HTMLSelectElement).value)}
          >
            {EXPIRY_DAYS.map((d) => (
              <option key={d} value={String(d)}>
                {s.expiresIn(d)}
              </option>
            ))}
            <option value="">{s.never}</option>
          </select>
        </label>
        <button type="submit">{s.create}</button>
      </form>
      {secret && (
        <p class="token-secret">
          {s.secretOnce} <code data-testid="token-secret">{secret}</code>
        </p>
      )}
      <AdminTable heads={[s.name, s.role, s.status, s.created, s.expiry, s.lastUsed, s.actions]}>
        {tokens.data?.map((tk) => {
          const state = tokenState(tk, now);
          return (
            <tr key={tk.id} data-testid={`token-${tk.name}`}>
              <td>{tk.name}</td>
              <td>{s.roles[tk.role]}</td>
              <td>
                <span class={`badge ${state.cls}`}>{state.text}</span>
              </td>
              <td>
                {when(tk.createdAt)}
                {tk.createdBy ? ` · ${tk.createdBy}` : ""}
              </td>
              <td>{tk.expiresAt === null ? s.never : when(tk.expiresAt)}</td>
              <td>{when(tk.lastUsedAt)}</td>
              <td>
                {tk.revokedAt === null && (
                  <button
                    type="button"
                    onClick={() =>
                      confirm(s.confirmRevoke(tk.name)) && run(() => adminApi.revokeToken(tk.id))
                    }
                  >
                    {s.revoke}
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </AdminTable>
    </section>
  );
}
