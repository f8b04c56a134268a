import { useState } from "preact/hooks";
import { useSessionContext } from "../auth/context.js";
import { useNow } from "../clock.js";
import { ErrorBanner } from "../ErrorBanner.js";
import { t } from "../i18n.js";
import { TopBar } from "../TopBar.js";
import { useAdminPage, useAdminRoute } from "./admin-route.js";
import { FleetAlerts } from "./FleetAlerts.js";
import { FleetSummary } from "./FleetSummary.js";
import { GatewayDetail } from "./GatewayDetail.js";
import { GatewayTable } from "./GatewayTable.js";
import { changeView, type TableState, toggleStatus } from "./paging.js";
import { RolloutsPanel } from "./RolloutsPanel.js";
import { defaultView, type TableView } from "./table-view.js";
import { useFleet } from "./useFleet.js";

/**
 * The collector's fleet view for central staff: the fleet's counts, every gateway (a page at a
 * time), and a chart for the selected one.
 */
export function FleetView() {
  const fleet = useFleet();
  const now = useNow();
  const gateways = fleet.gateways;
  const [table, setTable] = useState<TableState>({ view: defaultView, page: 1 });
  const onView = (update: (v: TableView) => TableView) => setTable((s) => changeView(s, update(s.view)));
  // The collector's count once it answers; the list's until then (the same rule, polled apart).
  const offline = fleet.counts?.total.offline ?? gateways?.filter((g) => !g.online).length ?? 0;
  const total = fleet.counts?.total.gateways ?? gateways?.length ?? 0;
  const isAdmin = useSessionContext()?.me.role === "admin";
  const adminOpen = useAdminRoute() && isAdmin;
  const AdminPage = useAdminPage(adminOpen);

  return (
    <>
      <TopBar title={<h1>{t.fleetTitle}</h1>}>
        {gateways && (
          <p class={`summary ${offline > 0 ? "summary-bad" : "summary-ok"}`}>
            <span class="summary-num" data-testid="offline-count" data-count={offline}>
              {offline}
            </span>{" "}
            {t.offlineOf(total)}
          </p>
        )}
      </TopBar>
      <main class="page">
        {isAdmin && (
          <nav class="tabs" aria-label={t.adminNav}>
            <a href="#/" aria-current={adminOpen ? undefined : "page"} data-testid="nav-fleet">
              {t.fleetTitle}
            </a>
            <a href="#/admin" aria-current={adminOpen ? "page" : undefined} data-testid="nav-admin">
              {t.adminNav}
            </a>
          </nav>
        )}
        {adminOpen ? AdminPage ? <AdminPage /> : <p class="notice">{t.loading}</p> : fleetPage()}
      </main>
    </>
  );

  function fleetPage() {
    return (
      <>
        {fleet.error && <ErrorBanner message={t.unreachable.collector} detail={fleet.error} />}
        {!gateways && !fleet.error && <p class="notice">{t.loading}</p>}
        {fleet.counts && fleet.counts.total.gateways > 0 && (
          <FleetSummary
            counts={fleet.counts}
            status={table.view.status}
            onStatus={(status) => onView((v) => toggleStatus(v, status))}
          />
        )}
        <FleetAlerts now={now} />
        {gateways && <RolloutsPanel />}
        {gateways && (
          <div class="fleet">
            <section class="panel">
              <GatewayTable
                gateways={gateways}
                selected={fleet.gateway}
                onSelect={fleet.selectGateway}
                now={now}
                view={table.view}
                onView={onView}
                page={table.page}
                onPage={(page) => setTable((s) => ({ ...s, page }))}
              />
            </section>
            {fleet.gateway && (
              <GatewayDetail
                gateway={fleet.gateway}
                summary={gateways.find((g) => g.id === fleet.gateway)}
                points={fleet.points}
                series={fleet.series}
                ready={fleet.ready}
                onSelectSeries={fleet.selectSeries}
              />
            )}
          </div>
        )}
      </>
    );
  }
}
