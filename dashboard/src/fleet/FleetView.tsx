import { useNow } from "../clock.js";
import { ErrorBanner } from "../ErrorBanner.js";
import { t } from "../i18n.js";
import { TopBar } from "../TopBar.js";
import { FleetAlerts } from "./FleetAlerts.js";
import { GatewayDetail } from "./GatewayDetail.js";
import { GatewayTable } from "./GatewayTable.js";
import { useFleet } from "./useFleet.js";

/** The collector's fleet view for central staff: every gateway, and a chart for the selected one. */
export function FleetView() {
  const fleet = useFleet();
  const now = useNow();
  const gateways = fleet.gateways;
  const offline = gateways?.filter((g) => !g.online).length ?? 0;

  return (
    <>
      <TopBar title={<h1>{t.fleetTitle}</h1>}>
        {gateways && (
          <p class={`summary ${offline > 0 ? "summary-bad" : "summary-ok"}`}>
            <span class="summary-num" data-testid="offline-count" data-count={offline}>
              {offline}
            </span>{" "}
            {t.offlineOf(gateways.length)}
          </p>
        )}
      </TopBar>
      <main class="page">
        {fleet.error && <ErrorBanner message={t.unreachable.collector} detail={fleet.error} />}
        {!gateways && !fleet.error && <p class="notice">{t.loading}</p>}
        <FleetAlerts now={now} />
        {gateways && (
          <div class="fleet">
            <section class="panel">
              <GatewayTable
                gateways={gateways}
                selected={fleet.gateway}
                onSelect={fleet.selectGateway}
                now={now}
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
      </main>
    </>
  );
}
