import type { ReleasesAnswer, Rollout, RolloutsAnswer } from "@tidegate/protocol";
import { useState } from "preact/hooks";
import { getJson, usePoll } from "../api.js";
import { useSessionContext } from "../auth/context.js";
import { t } from "../i18n.js";
import { RolloutTable } from "./RolloutTable.js";
import { postRollout, type RolloutForm, rolloutRequest, shownRollout, type TargetKind } from "./rollouts.js";

const POLL_MS = 2000;

/**
 * Staged rollouts on the fleet view: pick a release and a target, start; then the rollout under
 * way (or the latest) with each gateway's state, and pause, resume and abort. Admins act; others see.
 */
export function RolloutsPanel() {
  const session = useSessionContext();
  const admin = session?.me?.role === "admin";
  const releases = usePoll((s) => getJson<ReleasesAnswer>("api/v1/releases", s), 10_000);
  const rollouts = usePoll((s) => getJson<RolloutsAnswer>("api/v1/rollouts", s), POLL_MS);
  const [form, setForm] = useState<RolloutForm>({
    version: "",
    kind: "percent",
    target: "100",
    canary: "1",
    soakS: "300",
  });
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [fresh, setFresh] = useState<Rollout | undefined>();
  const listed = rollouts.data?.rollouts ?? [];
  const shown = shownRollout(fresh && !listed.some((r) => r.id === fresh.id) ? [fresh, ...listed] : listed);
  const current = fresh && shown?.id === fresh.id && fresh.updatedAt > shown.updatedAt ? fresh : shown;
  const versions = (releases.data?.releases ?? [])
    .map((r) => r.version)
    .sort()
    .reverse();
  const field = (key: keyof RolloutForm) => (e: Event) =>
    setForm((f) => ({ ...f, [key]: (e.currentTarget as HTMLInputElement).value }));

  async function act(path: string, body?: unknown) {
    setBusy(true);
    setError(undefined);
    try {
      setFresh(await postRollout(path, body));
    } catch (err) {
      setError(t.rollouts.failed((err as Error).message));
    } finally {
      setBusy(false);
    }
  }
  function start(e: Event) {
    e.preventDefault();
    const req = rolloutRequest(form);
    if (!req.ok) setError(req.error);
    else void act("api/v1/rollouts", req.request);
  }

  return (
    <section
      class="panel rollouts"
      aria-labelledby="rollouts-title"
      data-testid="rollouts-panel"
      aria-busy={busy}
    >
      <h2 id="rollouts-title">{t.rollouts.title}</h2>
      <p class="small muted">{t.rollouts.intro}</p>
      {admin ? (
        <form class="command-form" onSubmit={start} data-testid="rollout-form">
          <label>
            {t.rollouts.release}
            <select value={form.version} onChange={field("version")} name="version">
              <option value="">—</option>
              {versions.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t.rollouts.targetKind}
            <select value={form.kind} onChange={field("kind")} name="kind">
              {(["percent", "site", "gateways"] as TargetKind[]).map((k) => (
                <option key={k} value={k}>
                  {t.rollouts.kind[k]}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t.rollouts.targetValue}
            <input value={form.target} onInput={field("target")} name="target" />
          </label>
          <label>
            {t.rollouts.canary}
            <input value={form.canary} onInput={field("canary")} name="canary" inputMode="numeric" size={4} />
          </label>
          <label>
            {t.rollouts.soak}
            <input value={form.soakS} onInput={field("soakS")} name="soakS" inputMode="numeric" size={6} />
          </label>
          <button type="submit" class="btn" disabled={busy}>
            {t.rollouts.start}
          </button>
        </form>
      ) : (
        <p class="small muted">{t.rollouts.adminNote}</p>
      )}
      {releases.data && versions.length === 0 && <p class="notice">{t.rollouts.noReleases}</p>}
      {error && (
        <p class="form-error" role="alert" data-testid="rollout-error">
          {error}
        </p>
      )}
      {current ? (
        <RolloutTable
          rollout={current}
          admin={admin}
          busy={busy}
          onControl={(control) => void act(`api/v1/rollouts/${encodeURIComponent(current.id)}/${control}`)}
        />
      ) : (
        rollouts.data && <p class="small muted">{t.rollouts.none}</p>
      )}
    </section>
  );
}
