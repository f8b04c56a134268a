import { useState } from "preact/hooks";
import { AdminError } from "./AdminError.js";
import { AdminTable } from "./AdminTable.js";
import { type AuditFilter, adminApi, auditParams } from "./admin-api.js";
import { ta, when } from "./strings.js";
import { useAdminData } from "./useAdminData.js";

/** A datetime-local input's value as ms since epoch (local time); undefined when empty. */
const instant = (v: string) => (v === "" ? undefined : new Date(v).getTime());

/** The audit log: who did what when, filtered by user, action and time, a page at a time, and as CSV. */
export function AuditPanel() {
  const s = ta();
  const [draft, setDraft] = useState({ actor: "", action: "", from: "", to: "" });
  const [filter, setFilter] = useState<AuditFilter>({});
  // The `before` cursor of each page shown so far: Older pushes, Newest starts over.
  const [pages, setPages] = useState<(number | undefined)[]>([undefined]);
  const before = pages[pages.length - 1];
  const log = useAdminData(() => adminApi.audit(filter, before), [filter, before]);
  const actions = useAdminData(adminApi.auditActions);
  const field = (k: keyof typeof draft) => (e: Event) =>
    setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value });
  return (
    <section class="panel admin-panel" aria-label={s.tabs.audit}>
      <AdminError message={log.error} />
      <form
        class="admin-form"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({
            actor: draft.actor.trim() || undefined,
            action: draft.action || undefined,
            since: instant(draft.from),
            until: instant(draft.to),
          });
          setPages([undefined]);
        }}
      >
        <label>
          {s.user}
          <input name="audit-user" value={draft.actor} onInput={field("actor")} />
        </label>
        <label>
          {s.action}
          <select name="audit-action" value={draft.action} onChange={field("action")}>
            <option value="">{s.anyAction}</option>
            {actions.data?.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label>
          {s.from}
          <input name="audit-from" type="datetime-local" value={draft.from} onInput={field("from")} />
        </label>
        <label>
          {s.to}
          <input name="audit-to" type="datetime-local" value={draft.to} onInput={field("to")} />
        </label>
        <button type="submit">{s.apply}</button>
        <a
          class="button-link"
          href={`api/v1/audit.csv?${auditParams(filter)}`}
          download
          data-testid="audit-export"
        >
          {s.exportCsv}
        </a>
      </form>
      <AdminTable
        heads={[s.time, s.user, s.action, s.target, s.detail, s.address, s.outcome]}
        testId="audit-table"
      >
        {log.data?.entries.map((e) => (
          <tr key={e.id} data-testid="audit-row">
            <td>{when(e.at)}</td>
            <td>{e.actor}</td>
            <td>{e.action}</td>
            <td>{e.target ?? ""}</td>
            <td>{e.detail ?? ""}</td>
            <td>{e.ip ?? ""}</td>
            <td>
              <span class={`badge ${e.ok ? "badge-ok" : "badge-bad"}`}>{e.ok ? s.ok : s.failed}</span>
            </td>
          </tr>
        ))}
      </AdminTable>
      {log.data?.entries.length === 0 && <p class="notice">{s.noEntries}</p>}
      <div class="admin-paging">
        <button type="button" disabled={pages.length === 1} onClick={() => setPages([undefined])}>
          {s.newest}
        </button>
        <button
          type="button"
          disabled={log.data?.next === undefined}
          onClick={() => setPages([...pages, log.data?.next])}
        >
          {s.older}
        </button>
      </div>
    </section>
  );
}
