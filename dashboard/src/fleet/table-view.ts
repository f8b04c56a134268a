import type { GatewayEntry } from "@tidegate/protocol";

export type SortKey = "id" | "site" | "status" | "lastSeen" | "version" | "backlog" | "clock" | "alerts";
export type SortDir = "asc" | "desc";
export interface TableView {
  sort: SortKey;
  dir: SortDir;
  /** Matched, case-insensitively, against id, site and version. */
  filter: string;
  onlyOffline: boolean;
  /** One of the collector's statuses (as GET /api/v1/fleet counts them), or every gateway. */
  status: StatusFilter;
}

export const defaultView: TableView = {
  sort: "id",
  dir: "asc",
  filter: "",
  onlyOffline: false,
  status: "all",
};

export const GATEWAY_STATUSES = ["online", "offline", "alerting", "backlogged"] as const;
export type GatewayStatus = (typeof GATEWAY_STATUSES)[number];
export type StatusFilter = "all" | GatewayStatus;

/**
 * As the collector counts them (collector/src/http/fleet.ts): online and offline split the fleet;
 * alerting and backlogged come from the latest heartbeat, so an offline gateway keeps what it last said.
 */
export const hasStatus: Record<GatewayStatus, (g: GatewayEntry) => boolean> = {
  online: (g) => g.online,
  offline: (g) => !g.online,
  alerting: (g) => (g.activeAlerts?.length ?? 0) > 0,
  backlogged: (g) => (g.backlog ?? 0) > 0,
};

/** Whether the view narrows the fleet at all (for the "12 of 1,000 shown" line). */
export function isFiltered(view: TableView): boolean {
  return view.filter.trim() !== "" || view.onlyOffline || view.status !== "all";
}

type Key = string | number | undefined;

const keyOf: Record<SortKey, (g: GatewayEntry) => Key> = {
  id: (g) => g.id,
  site: (g) => g.site,
  // Offline first when ascending: the rows that need someone come to the top.
  status: (g) => (g.online ? 1 : 0),
  lastSeen: (g) => g.lastSeen ?? undefined,
  version: (g) => g.version,
  backlog: (g) => g.backlog,
  // By how far off the clock is, whichever way.
  clock: (g) => (g.clockOffsetMs === undefined ? undefined : Math.abs(g.clockOffsetMs)),
  alerts: (g) => g.activeAlerts?.length ?? 0,
};

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

function compareKeys(a: Key, b: Key): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return collator.compare(String(a), String(b));
}

/** The rows to show: filtered, then sorted; rows without a value for the sort column go last either way. */
export function applyView(gateways: readonly GatewayEntry[], view: TableView): GatewayEntry[] {
  const needle = view.filter.trim().toLowerCase();
  const kept = gateways.filter(
    (g) =>
      (!view.onlyOffline || !g.online) &&
      (view.status === "all" || hasStatus[view.status](g)) &&
      (needle === "" || [g.id, g.site, g.version].some((s) => s?.toLowerCase().includes(needle))),
  );
  const key = keyOf[view.sort];
  const sign = view.dir === "asc" ? 1 : -1;
  return kept
    .map((g) => ({ g, k: key(g) }))
    .sort((a, b) => {
      if (a.k === undefined || b.k === undefined)
        return a.k === b.k ? compareKeys(a.g.id, b.g.id) : a.k === undefined ? 1 : -1;
      return sign * compareKeys(a.k, b.k) || compareKeys(a.g.id, b.g.id);
    })
    .map((x) => x.g);
}

/** A header click: the same column flips direction, another column starts ascending. */
export function toggleSort(view: TableView, sort: SortKey): TableView {
  if (view.sort === sort) return { ...view, dir: view.dir === "asc" ? "desc" : "asc" };
  return { ...view, sort, dir: "asc" };
}

/** For aria-sort on a column header. */
export function ariaSort(view: TableView, key: SortKey): "ascending" | "descending" | "none" {
  if (view.sort !== key) return "none";
  return view.dir === "asc" ? "ascending" : "descending";
}
