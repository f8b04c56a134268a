import { useEffect } from "preact/hooks";
import { api, usePoll } from "../api.js";
import { useNow } from "../clock.js";
import { ErrorBanner } from "../ErrorBanner.js";
import { t } from "../i18n.js";
import { AgentHeader } from "./AgentHeader.js";
import { AlertsPanel } from "./AlertsPanel.js";
import { DeviceCard } from "./DeviceCard.js";
import { groupByDevice } from "./group.js";
import { UplinkPanel } from "./UplinkPanel.js";

const POLL_MS = 2000;

/** The agent's local view for plant operators: this gateway's devices and their latest readings. */
export function AgentView({ gateway }: { gateway: string }) {
  const status = usePoll((signal) => api.status(signal), POLL_MS);
  const latest = usePoll((signal) => api.latest(signal), POLL_MS);
  const now = useNow();
  const error = status.error ?? latest.error;
  const id = status.data?.gateway ?? gateway;

  useEffect(() => {
    document.title = `${id} · ${t.appTitle}`;
  }, [id]);

  const groups = groupByDevice(status.data?.devices ?? [], latest.data ?? []);
  const loaded = status.data !== undefined || latest.data !== undefined;
  return (
    <>
      <AgentHeader gateway={id} status={status.data} />
      <main class="page">
        {error && <ErrorBanner message={t.unreachable.agent} detail={error} />}
        <AlertsPanel status={status.data} now={now} />
        <UplinkPanel status={status.data} />
        {!loaded && !error && <p class="notice">{t.loading}</p>}
        {loaded && groups.length === 0 && <p class="notice">{t.noDevices}</p>}
        <div class="cards">
          {groups.map((g) => (
            <DeviceCard key={g.id} group={g} now={now} />
          ))}
        </div>
      </main>
    </>
  );
}
