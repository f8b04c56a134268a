import type { AgentStatus } from "@tidegate/protocol";
import { useEffect } from "preact/hooks";
import { api, usePoll } from "../api.js";
import { mayAct, useSessionContext } from "../auth/context.js";
import { pageTitle, useBrand } from "../branding.js";
import { useNow } from "../clock.js";
import { ErrorBanner } from "../ErrorBanner.js";
import { t } from "../i18n.js";
import { AgentHeader } from "./AgentHeader.js";
import { AlertsPanel } from "./AlertsPanel.js";
import { ConfigPanel } from "./ConfigPanel.js";
import { LazyCommissionPage } from "./commission/LazyCommissionPage.js";
import { DeviceCard } from "./DeviceCard.js";
import { type DeviceGroup, groupByDevice } from "./group.js";
import { ProbePanel } from "./ProbePanel.js";
import { useAgentRoute } from "./route.js";
import { UplinkPanel } from "./UplinkPanel.js";

const POLL_MS = 2000;

/** The agent's local view for plant operators: this gateway's devices and their latest readings. */
export function AgentView({ gateway }: { gateway: string }) {
  const status = usePoll((signal) => api.status(signal), POLL_MS);
  const latest = usePoll((signal) => api.latest(signal), POLL_MS);
  const now = useNow();
  const error = status.error ?? latest.error;
  const id = status.data?.gateway ?? gateway;

  const brand = useBrand();
  useEffect(() => {
    document.title = pageTitle(brand, id);
  }, [id, brand]);

  const session = useSessionContext();
  const route = useAgentRoute();
  const technician = mayAct(session?.me);
  const groups = groupByDevice(status.data?.devices ?? [], latest.data ?? []);
  const loaded = status.data !== undefined || latest.data !== undefined;
  return (
    <>
      <AgentHeader gateway={id} status={status.data} />
      <main class="page">
        {error && <ErrorBanner message={t.unreachable.agent} detail={error} />}
        {technician && (
          <nav class="tabs" aria-label={t.tech.tab}>
            <a href="#/" aria-current={route === "overview" ? "page" : undefined} data-testid="tab-overview">
              {t.tech.overview}
            </a>
            <a
              href="#/technician"
              aria-current={route === "technician" ? "page" : undefined}
              data-testid="tab-technician"
            >
              {t.tech.tab}
            </a>
            <a
              href="#/commission"
              aria-current={route === "commission" ? "page" : undefined}
              data-testid="tab-commission"
            >
              {t.commission.tab}
            </a>
          </nav>
        )}
        {route === "commission" ? (
          technician ? (
            <LazyCommissionPage taken={(status.data?.devices ?? []).map((d) => d.id)} />
          ) : (
            <p class="notice" data-testid="technician-refused">
              {t.tech.notAllowed}
            </p>
          )
        ) : route === "technician" ? (
          technician ? (
            <div class="technician" data-testid="technician-page">
              <ProbePanel />
              <ConfigPanel />
            </div>
          ) : (
            <p class="notice" data-testid="technician-refused">
              {t.tech.notAllowed}
            </p>
          )
        ) : (
          <Overview status={status.data} groups={groups} loaded={loaded} error={error} now={now} />
        )}
      </main>
    </>
  );
}

function Overview(props: {
  status: AgentStatus | undefined;
  groups: DeviceGroup[];
  loaded: boolean;
  error: string | undefined;
  now: number;
}) {
  const { status, groups, loaded, error, now } = props;
  return (
    <>
      <AlertsPanel status={status} now={now} />
      <UplinkPanel status={status} />
      {!loaded && !error && <p class="notice">{t.loading}</p>}
      {loaded && groups.length === 0 && <p class="notice">{t.noDevices}</p>}
      <div class="cards">
        {groups.map((g) => (
          <DeviceCard key={g.id} group={g} now={now} />
        ))}
      </div>
    </>
  );
}
