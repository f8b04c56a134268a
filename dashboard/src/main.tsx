import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { AgentView } from "./agent/AgentView.js";
import { api, type Info } from "./api.js";
import { ErrorBanner } from "./ErrorBanner.js";
import { FleetView } from "./fleet/FleetView.js";
import { lang, t } from "./i18n.js";

const INFO_RETRY_MS = 3000;

/** Fetches /api/v1/info, retrying until it answers once; the role never changes afterwards. */
function useInfo(): { info: Info | undefined; error: string | undefined } {
  const [state, setState] = useState<{ info: Info | undefined; error: string | undefined }>({
    info: undefined,
    error: undefined,
  });
  useEffect(() => {
    const ctrl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = async () => {
      try {
        const info = await api.info(ctrl.signal);
        if (!ctrl.signal.aborted) setState({ info, error: undefined });
      } catch (err) {
        if (ctrl.signal.aborted) return;
        setState({ info: undefined, error: err instanceof Error ? err.message : String(err) });
        timer = setTimeout(attempt, INFO_RETRY_MS);
      }
    };
    void attempt();
    return () => {
      ctrl.abort();
      clearTimeout(timer);
    };
  }, []);
  return state;
}

/** Asks the server what it is, then shows the agent's local view or the collector's fleet view. */
function App() {
  const { info, error } = useInfo();
  if (info?.role === "agent") return <AgentView gateway={info.gateway} />;
  if (info?.role === "collector") return <FleetView />;
  return (
    <main class="page">
      {error && <ErrorBanner message={t.unreachable.any} detail={error} />}
      <p class="notice">{info ? t.unknownRole(String((info as { role: unknown }).role)) : t.loading}</p>
    </main>
  );
}

const root = document.getElementById("app");
if (root) {
  root.textContent = "";
  // Screen readers and hyphenation follow the page's language.
  document.documentElement.lang = lang;
  render(<App />, root);
}
