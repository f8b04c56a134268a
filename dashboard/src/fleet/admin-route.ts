import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";

/** `#/admin…` opens the administration pages (admins only); anything else is the fleet. */
export const isAdminRoute = (hash: string) => /^#\/?admin(\/|$)/.test(hash);

export function useAdminRoute(): boolean {
  const [admin, setAdmin] = useState(() => isAdminRoute(location.hash));
  useEffect(() => {
    const on = () => setAdmin(isAdminRoute(location.hash));
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return admin;
}

/**
 * The admin pages, fetched the first time an admin opens them: a separate chunk, so viewers and
 * operators (and plant panels) never download them.
 */
export function useAdminPage(open: boolean): ComponentType | undefined {
  const [page, setPage] = useState<ComponentType | undefined>(undefined);
  useEffect(() => {
    if (open && !page) void import("../admin/AdminPage.js").then((m) => setPage(() => m.AdminPage));
  }, [open, page]);
  return page;
}
