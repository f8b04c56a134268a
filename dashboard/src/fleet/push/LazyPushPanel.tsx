import { useState } from "preact/hooks";
import { t } from "../../i18n.js";

type Panel = typeof import("./PushPanel.js").PushPanel;

/** The device push panel, loaded when an admin opens it (build.mjs keeps it out of the first load). */
export function LazyPushPanel(props: { gateway: string; devices: string[]; label: string }) {
  const [panel, setPanel] = useState<{ Panel: Panel } | undefined>();
  const [error, setError] = useState<string | undefined>();
  if (panel) return <panel.Panel gateway={props.gateway} devices={props.devices} />;
  return (
    <div class="command-row">
      <button
        type="button"
        class="btn"
        data-testid="push-open"
        onClick={() =>
          import("./PushPanel.js").then(
            (m) => setPanel({ Panel: m.PushPanel }),
            (err: Error) => setError(err.message),
          )
        }
      >
        {props.label}
      </button>
      {error && <p class="form-error">{t.commands.failed(error)}</p>}
    </div>
  );
}
