import type { GatewayEntry } from "@tidegate/protocol";
import type { ComponentChildren } from "preact";
import { useMemo } from "preact/hooks";
import { formatAge, formatCount, formatDuration, formatNumber } from "../format.js";
import { t } from "../i18n.js";
import { ClockJumpBadge } from "./ClockJumpBadge.js";
import { CompletenessBadges } from "./CompletenessBadges.js";
import { pageRows, pageSlice } from "./paging.js";
import {
  applyView,
  ariaSort,
  GATEWAY_STATUSES,
  isFiltered,
  type SortKey,
  type StatusFilter,
  type TableView,
  toggleSort,
} from "./table-view.js";

interface Props {
  gateways: GatewayEntry[];
  selected: string | undefined;
  onSelect: (id: string) => void;
  now: number;
  /** Sort and filters, kept by the fleet view so the summary's counts can set the status. */
  view: TableView;
  onView: (update: (v: TableView) => TableView) => void;
  /** 1-based; clamped here to the pages there are. */
  page: number;
  onPage: (page: number) => void;
}

/** "+2 s", "−350 ms": the gateway's clock ahead of (+) or behind (−) the collector's. */
function formatOffset(ms: number): string {
  const abs = Math.abs(ms);
  const text = abs < 1000 ? t.table.offsetMs(formatNumber(Math.round(abs))) : formatDuration(abs);
  return `${ms < 0 ? "−" : "+"}${text}`;
}

function SortHeader(p: {
  view: TableView;
  sortKey: SortKey;
  onSort: (k: SortKey) => void;
  class?: string;
  children: ComponentChildren;
}) {
  const sort = ariaSort(p.view, p.sortKey);
  return (
    <th scope="col" class={p.class} aria-sort={sort} data-sort={p.sortKey}>
      {/* A button: click, Enter and Space sort, and screen readers announce it as one. */}
      <button type="button" class="sort-button" onClick={() => p.onSort(p.sortKey)}>
        {p.children}
        <span class="sort-mark" aria-hidden="true">
          {sort === "ascending" ? "▲" : sort === "descending" ? "▼" : "↕"}
        </span>
      </button>
    </th>
  );
}

function AlertsBadge({ g }: { g: GatewayEntry }) {
  const alerts = g.activeAlerts ?? [];
  if (alerts.length === 0) return null;
  return (
    <span
      class={`badge ${alerts.some((a) => a.severity === "critical") ? "badge-bad" : "badge-warn"}`}
      data-testid="gateway-alerts"
      data-count={alerts.length}
      title={alerts.map((a) => `${a.device}: ${a.message}`).join("\n")}
    >
      {t.alertsTitle(alerts.length)}
    </span>
  );
}

function GatewayRow({
  g,
  selected,
  onSelect,
  now,
}: { g: GatewayEntry; selected: boolean } & Pick<Props, "onSelect" | "now">) {
  return (
    <tr
      class={selected ? "selected" : undefined}
      data-testid="gateway-row"
      data-gateway={g.id}
      data-online={String(g.online)}
      tabIndex={0}
      aria-selected={selected}
      onClick={() => onSelect(g.id)}
      onKeyDown={(e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          onSelect(g.id);
        }
      }}
    >
      <th scope="row">{g.id}</th>
      <td class="hide-narrow" data-testid="gateway-site">
        {g.site ?? t.noValue}
      </td>
      <td class="status-cell">
        <span class={`badge ${g.online ? "badge-ok" : "badge-bad"}`} data-testid="gateway-status">
          {g.online ? t.online : t.offline}
        </span>
      </td>
      <td
        class="num seen-cell"
        title={g.lastSeen === null ? undefined : new Date(g.lastSeen).toLocaleString()}
      >
        {formatAge(g.lastSeen, now)}
      </td>
      <td class="hide-narrow">
        {g.version ?? t.noValue}
        {g.wire && g.wire.version < g.wire.current && (
          <span class="badge badge-warn" data-testid="older-wire" title={t.olderWireHint}>
            {t.olderWire(g.wire.version)}
          </span>
        )}
      </td>
      <td
        class={`num hide-narrow${g.backlog ? " stat-warn" : ""}`}
        title={g.oldestUnsentAgeMs ? t.backlogOldest(formatDuration(g.oldestUnsentAgeMs)) : undefined}
      >
        {g.backlog === undefined ? t.noValue : formatCount(g.backlog)}
      </td>
      {/* The clock cell: the offset, and room for a badge about the clock (e.g. a jump). */}
      <td
        class={`num hide-narrow clock-cell${g.clockSkewed ? " stat-warn" : ""}`}
        data-testid="gateway-clock"
        title={g.clockSkewed ? t.table.clockSkewedHint : undefined}
      >
        {g.clockOffsetMs === undefined ? t.noValue : formatOffset(g.clockOffsetMs)}
        <ClockJumpBadge jump={g.clockJump} />
      </td>
      <td class="alerts-cell">
        <AlertsBadge g={g} />
      </td>
      <td class="completeness-cell">
        <CompletenessBadges seq={g.seq} />
      </td>
    </tr>
  );
}

function Pager(p: {
  page: number;
  pages: number;
  from: number;
  to: number;
  total: number;
  onPage: (n: number) => void;
}) {
  return (
    <nav class="pager" aria-label={t.table.pages}>
      <button
        type="button"
        class="btn"
        data-testid="page-prev"
        disabled={p.page <= 1}
        onClick={() => p.onPage(p.page - 1)}
      >
        <span aria-hidden="true">‹ </span>
        {t.table.prevPage}
      </button>
      <span
        class="muted page-info"
        data-testid="page-info"
        data-page={p.page}
        data-pages={p.pages}
        aria-live="polite"
      >
        {t.table.pageInfo(
          formatCount(p.total === 0 ? 0 : p.from + 1),
          formatCount(p.to),
          formatCount(p.total),
        )}
      </span>
      <button
        type="button"
        class="btn"
        data-testid="page-next"
        disabled={p.page >= p.pages}
        onClick={() => p.onPage(p.page + 1)}
      >
        {t.table.nextPage}
        <span aria-hidden="true"> ›</span>
      </button>
    </nav>
  );
}

/**
 * Every gateway the collector knows, sortable by any column and filtered by id, site, version or
 * status, one page of rows at a time (a fleet may hold thousands); a row is selected by click, Enter or Space. On narrow screens each row becomes two lines,
 * "id · alerts · status" over "last seen · completeness"; site, version, backlog and clock are in the detail.
 */
export function GatewayTable({
  gateways,
  selected,
  onSelect,
  now,
  view,
  onView: setView,
  page,
  onPage,
}: Props) {
  // Filtering and sorting run when the list or the view changes, not on every clock tick.
  const rows = useMemo(() => applyView(gateways, view), [gateways, view]);
  const slice = pageSlice(rows.length, page);
  const shown = pageRows(rows, slice);
  if (gateways.length === 0) return <p class="notice">{t.noGateways}</p>;
  const onSort = (k: SortKey) => setView((v) => toggleSort(v, k));
  const header = (key: SortKey, label: string, cls?: string) => (
    <SortHeader view={view} sortKey={key} onSort={onSort} class={cls}>
      {label}
    </SortHeader>
  );
  const filtered = isFiltered(view);

  return (
    <>
      <div class="table-controls">
        <input
          type="search"
          class="table-filter"
          aria-label={t.table.filter}
          placeholder={t.table.filterHint}
          value={view.filter}
          data-testid="gateway-filter"
          onInput={(e) => {
            const filter = e.currentTarget.value;
            setView((v) => ({ ...v, filter }));
          }}
        />
        <label class="check">
          <input
            type="checkbox"
            checked={view.onlyOffline}
            data-testid="only-offline"
            onChange={(e) => {
              const onlyOffline = e.currentTarget.checked;
              setView((v) => ({ ...v, onlyOffline }));
            }}
          />{" "}
          {t.table.onlyOffline}
        </label>
        <label class="status-filter">
          <span>{t.table.statusFilter}</span>{" "}
          <select
            value={view.status}
            data-testid="status-filter"
            onChange={(e) => {
              const status = e.currentTarget.value as StatusFilter;
              setView((v) => ({ ...v, status }));
            }}
          >
            <option value="all">{t.table.statusAll}</option>
            {GATEWAY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t.table.status[s]}
              </option>
            ))}
          </select>
        </label>
        {filtered && (
          <span class="muted" data-testid="gateways-shown" aria-live="polite">
            {t.table.shownOf(rows.length, gateways.length)}
          </span>
        )}
      </div>
      {rows.length > 0 && <Pager {...slice} onPage={onPage} />}
      {rows.length === 0 ? (
        <p class="notice">{t.table.noMatch}</p>
      ) : (
        <div class="table-scroll">
          <table class="gateways">
            <thead>
              <tr>
                {header("id", t.colGateway)}
                {header("site", t.table.site, "hide-narrow")}
                {header("status", t.colStatus)}
                {header("lastSeen", t.colLastSeen, "num")}
                {header("version", t.colVersion, "hide-narrow")}
                {header("backlog", t.colBacklog, "num hide-narrow")}
                {header("clock", t.table.clock, "num hide-narrow")}
                {header("alerts", t.table.alerts)}
                <th scope="col">{t.colCompleteness}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((g) => (
                <GatewayRow key={g.id} g={g} selected={g.id === selected} onSelect={onSelect} now={now} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
