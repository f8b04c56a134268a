import type { Rollout } from "@tidegate/protocol";
import { t } from "../i18n.js";
import { progressOf, toneOf } from "./rollouts.js";

type Control = "pause" | "resume" | "abort";

/** One rollout: its state and waves, the controls its state allows, and a row per gateway. */
export function RolloutTable(props: {
  rollout: Rollout;
  admin: boolean;
  busy: boolean;
  onControl: (control: Control) => void;
}) {
  const r = props.rollout;
  const under = r.state === "running" || r.state === "paused";
  const button = (control: Control, shown: boolean) =>
    shown && (
      <button type="button" class="btn" disabled={props.busy} onClick={() => props.onControl(control)}>
        {t.rollouts[control]}
      </button>
    );
  return (
    <div class="rollout" data-testid="rollout" data-state={r.state} data-id={r.id}>
      <p class="command-row">
        <strong>{t.rollouts.heading(r.version, r.gateways.length)}</strong>{" "}
        <span class={`badge badge-${toneOf(r.state)}`} data-testid="rollout-state">
          {t.rollouts.state[r.state]}
        </span>{" "}
        <span class="small muted">{t.rollouts.wave(r.wavesStarted, r.waves)}</span>
        {r.reason && (
          <span class="small" data-testid="rollout-reason">
            {" "}
            {r.reason}
          </span>
        )}
      </p>
      {props.admin && under && (
        <div class="command-row">
          {button("pause", r.state === "running")}
          {button("resume", r.state === "paused")}
          {button("abort", true)}
        </div>
      )}
      <table class="command-history" data-testid="rollout-gateways">
        <thead>
          <tr>
            <th>{t.rollouts.colGateway}</th>
            <th>{t.rollouts.colWave}</th>
            <th>{t.rollouts.colState}</th>
            <th>{t.rollouts.colDetail}</th>
          </tr>
        </thead>
        <tbody>
          {r.gateways.map((g) => {
            const progress = progressOf(g);
            return (
              <tr key={g.id} data-gateway={g.id} data-state={g.state}>
                <td>{g.id}</td>
                <td>{g.wave === 0 ? t.rollouts.canaryWave : g.wave}</td>
                <td>
                  <span class={`badge badge-${toneOf(g.state)}`}>{t.rollouts.gatewayState[g.state]}</span>
                  {progress !== undefined && (
                    <progress max={100} value={progress} aria-label={`${progress} %`}>
                      {progress} %
                    </progress>
                  )}
                </td>
                <td class="small">{g.error ?? g.note ?? ""}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
