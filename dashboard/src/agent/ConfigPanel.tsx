import { usePoll } from "../api.js";
import { ErrorBanner } from "../ErrorBanner.js";
import { t } from "../i18n.js";
import { localApi } from "./local-api.js";

/** The config the agent runs with, read-only; the agent masks the secrets before sending it. */
export function ConfigPanel() {
  const config = usePoll((signal) => localApi.config(signal), 60_000);
  return (
    <section class="panel">
      <h2>{t.tech.configTitle}</h2>
      <p class="muted small">{t.tech.configHint}</p>
      {config.error && <ErrorBanner message={t.unreachable.agent} detail={config.error} />}
      {config.data ? (
        <pre class="config-view" data-testid="running-config">
          {JSON.stringify(config.data.config, null, 2)}
        </pre>
      ) : (
        !config.error && <p class="notice">{t.loading}</p>
      )}
    </section>
  );
}
