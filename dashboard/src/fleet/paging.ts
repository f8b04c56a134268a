import type { GatewayStatus, TableView } from "./table-view.js";

/** Rows per page of the fleet table: enough to scan, few enough to render at once. */
export const PAGE_SIZE = 100;

export interface PageSlice {
  /** 1-based, clamped to the pages there are. */
  page: number;
  pages: number;
  /** 0-based start (inclusive) and end (exclusive) of the page's rows; from === to when there are none. */
  from: number;
  to: number;
  total: number;
}

/**
 * Which rows page `page` of `total` holds. A page past the end (the fleet shrank, a filter left
 * fewer rows) shows the last one; there is always at least one page, empty when nothing matches.
 */
export function pageSlice(total: number, page: number, size = PAGE_SIZE): PageSlice {
  const rows = Math.max(0, Math.floor(total));
  const per = Math.max(1, Math.floor(size));
  const pages = Math.max(1, Math.ceil(rows / per));
  const wanted = Number.isFinite(page) ? Math.floor(page) : 1;
  const p = Math.min(pages, Math.max(1, wanted));
  const from = Math.min(rows, (p - 1) * per);
  return { page: p, pages, from, to: Math.min(rows, from + per), total: rows };
}

/** The rows of one page. */
export function pageRows<T>(rows: readonly T[], slice: PageSlice): T[] {
  return rows.slice(slice.from, slice.to);
}

/** What the fleet table shows: the view (sort, filters) and the page of its rows. */
export interface TableState {
  view: TableView;
  page: number;
}

/** A new sort or filter starts again at page 1; a view that changes nothing keeps the page. */
export function changeView(state: TableState, next: TableView): TableState {
  const same = (Object.keys(next) as (keyof TableView)[]).every((k) => next[k] === state.view[k]);
  return same ? state : { view: next, page: 1 };
}

/** Clicking a status count: filters the table by it, or (clicked again) shows every status. */
export function toggleStatus(view: TableView, status: GatewayStatus): TableView {
  return { ...view, status: view.status === status ? "all" : status };
}
