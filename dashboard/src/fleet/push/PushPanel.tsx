import type { DevicePushAnswer, GatewaysAnswer } from "@tidegate/protocol";
import { useEffect, useState } from "preact/hooks";
import { getJson } from "../../api.js";
import { pushT } from "../../i18n/push.js";
import { pushTargets, sendPush, type TargetGateway } from "./push.js";

/**
 * Admins push a device made on this gateway to others: pick the device and the targets (a filter
 * and checkboxes), and see each target's outcome on its own line. Offline gateways can be ticked:
 * the collector reports them as not reached rather than queueing the change.
 */
export function PushPanel(props: { gateway: string; devices: string[] }) {
  const m = pushT();
  const [gateways, setGateways] = useState<TargetGateway[]>([]);
  const [device, setDevice] = useState(props.devices[0] ?? "");
  const [filter, setFilter] = useState("");
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<DevicePushAnswer | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    const ac = new AbortController();
    getJson<GatewaysAnswer>("api/v1/gateways", ac.signal).then(
      (a) => setGateways(a.gateways.map((g) => ({ id: g.id, online: g.online }))),
      (err: Error) => !ac.signal.aborted && setError(m.failed(err.message)),
    );
    return () => ac.abort();
  }, []);

  const shown = pushTargets(gateways, props.gateway, filter);
  const toggle = (id: string) => {
    const next = new Set(chosen);
    if (!next.delete(id)) next.add(id);
    setChosen(next);
  };
  async function push(e: Event) {
    e.preventDefault();
    const to = [...chosen].filter((id) => id !== props.gateway);
    if (to.length === 0) return setError(m.pickTargets);
    setBusy(true);
    setError(undefined);
    setAnswer(undefined);
    try {
      setAnswer(await sendPush({ from: { gateway: props.gateway, device }, to }));
    } catch (err) {
      setError(m.failed((err as Error).message));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="push" data-testid="push-panel" onSubmit={(e) => void push(e)} aria-busy={busy}>
      <h4>{m.title}</h4>
      <label>
        {m.device}{" "}
        <select value={device} onChange={(e) => setDevice((e.target as HTMLSelectElement).value)}>
          {props.devices.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </label>{" "}
      <label>
        {m.filter}{" "}
        <input
          type="search"
          value={filter}
          onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
        />
      </label>
      <fieldset>
        <legend>{m.targets}</legend>
        {shown.length === 0 && <p class="small muted">{m.none}</p>}
        {shown.map((g) => (
          <label key={g.id} class="push-target">
            <input
              type="checkbox"
              checked={chosen.has(g.id)}
              onChange={() => toggle(g.id)}
              data-gateway={g.id}
            />{" "}
            {g.id}
            {!g.online && <span class="small muted"> ({m.offline})</span>}
          </label>
        ))}
      </fieldset>
      <button type="submit" class="btn" disabled={busy || device === ""}>
        {m.send}
      </button>
      <div aria-live="polite">
        {busy && <p class="small muted">{m.working}</p>}
        {error && (
          <p class="form-error" role="alert" data-testid="push-error">
            {error}
          </p>
        )}
        {answer && (
          <ul class="push-results" data-testid="push-results">
            {answer.profile && <li class="small muted">{m.profile(answer.profile)}</li>}
            {answer.results.map((r) => (
              <li key={r.gateway} data-testid="push-result" data-gateway={r.gateway} data-outcome={r.outcome}>
                <strong>{r.gateway}</strong>:{" "}
                {r.outcome === "applied"
                  ? m.applied(r.version ?? 0, r.profileSaved ?? false)
                  : `${m.outcome[r.outcome]}: ${r.error ?? ""}`}
              </li>
            ))}
          </ul>
        )}
      </div>
    </form>
  );
}
