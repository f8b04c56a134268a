import type { InfoAnswer } from "@tidegate/protocol";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { AgentView } from "./agent/AgentView.js";
import { api } from "./api.js";
import { SessionContext } from "./auth/context.js";
import { LoginForm } from "./auth/LoginForm.js";
import { useSession } from "./auth/session.js";
import { BrandingContext, useBranding } from "./branding.js";
import { ErrorBanner } from "./ErrorBanner.js";
import { Footer } from "./Footer.js";
import { FleetView } from "./fleet/FleetView.js";
import { t } from "./i18n.js";
import { initPrefs, usePrefs } from "./prefs.js";

const INFO_RETRY_MS = 3000;

/** Fetches /api/v1/info, retrying until it answers once; the role never changes afterwards. */
function useInfo(): { info: InfoAnswer | undefined; error: string | undefined } {
  const [state, setState] = useState<{ info: InfoAnswer | undefined; error: string | undefined }>({
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

/** The white-label name, logo, colours and footer around whatever the app shows. */
function Branded() {
  const branding = useBranding();
  return (
    <BrandingContext.Provider value={branding}>
      <App />
      <Footer />
    </BrandingContext.Provider>
  );
}

/** Asks the server what it is, then shows the agent's local view or the collector's fleet view. */
function App() {
  const { info, error } = useInfo();
  const { session, signedIn, signOut } = useSession();
  // A theme or language change re-renders the whole tree, so every string is read again.
  usePrefs();
  const known = info?.role === "agent" || info?.role === "collector";
  if (known && session.state === "signed-out")
    return <LoginForm onSignedIn={signedIn} notice={session.error} />;
  if (known && session.state === "signed-in")
    return (
      <SessionContext.Provider value={{ me: session.me, signOut: () => void signOut() }}>
        {info.role === "agent" ? <AgentView gateway={info.gateway} /> : <FleetView />}
      </SessionContext.Provider>
    );
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
  // Sets the theme and the page's language (screen readers, hyphenation) before anything is drawn.
  initPrefs();
  render(<Branded />, root);
}
