import { useState } from "preact/hooks";
import { usePoll } from "../api.js";
import { ErrorBanner } from "../ErrorBanner.js";
import { t } from "../i18n.js";
import { Field, InputField } from "./Field.js";
import { localApi, type ProbeAnswer, type ProbeRequest } from "./local-api.js";

const OTHER = "";

/** The decode assistant in the browser: read a device once, see every byte/word order. */
export function ProbePanel() {
  const options = usePoll((signal) => localApi.probeOptions(signal), 60_000);
  const devices = options.data?.devices ?? [];
  const [device, setDevice] = useState<string | undefined>();
  const [host, setHost] = useState("");
  const [port, setPort] = useState("502");
  const [unit, setUnit] = useState("");
  const [profile, setProfile] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [answer, setAnswer] = useState<ProbeAnswer | undefined>();
  const chosen = device ?? devices[0]?.id ?? OTHER;
  const configured = devices.find((d) => d.id === chosen);

  const run = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setAnswer(undefined);
    const unitId = unit.trim() === "" ? undefined : Number(unit);
    const req: ProbeRequest = configured
      ? { device: configured.id, ...(unitId !== undefined ? { unitId } : {}) }
      : { host: host.trim(), port: Number(port), unitId: unitId ?? 1, profile };
    try {
      setAnswer(await localApi.probe(req));
    } catch (err) {
      setError(t.tech.failed((err as Error).message));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" data-testid="probe-panel">
      <h2>{t.tech.probeTitle}</h2>
      <p class="muted small">{t.tech.probeHint}</p>
      {options.error && <ErrorBanner message={t.unreachable.agent} detail={options.error} />}
      <form class="probe-form" onSubmit={run}>
        <Field id="probe-device" label={t.tech.device}>
          <select
            id="probe-device"
            value={chosen}
            data-testid="probe-device"
            onChange={(e) => setDevice(e.currentTarget.value)}
          >
            {devices.map((d) => (
              <option key={d.id} value={d.id}>
                {`${d.id} · ${d.profile} · ${d.line}`}
              </option>
            ))}
            <option value={OTHER}>{t.tech.otherAddress}</option>
          </select>
        </Field>
        {!configured && (
          <>
            <InputField id="probe-host" label={t.tech.host} value={host} onValue={setHost} required />
            <InputField
              id="probe-port"
              label={t.tech.port}
              value={port}
              onValue={setPort}
              required
              type="number"
              min={1}
              max={65535}
            />
            <Field id="probe-profile" label={t.tech.profile}>
              <select
                id="probe-profile"
                required
                value={profile}
                data-testid="probe-profile"
                onChange={(e) => setProfile(e.currentTarget.value)}
              >
                <option value="" disabled>
                  {t.noValue}
                </option>
                {(options.data?.profiles ?? []).map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            </Field>
          </>
        )}
        <InputField
          id="probe-unit"
          label={t.tech.unit}
          value={unit}
          onValue={setUnit}
          type="number"
          min={0}
          max={255}
          placeholder={configured ? String(configured.unitId) : "1"}
        />
        <button type="submit" class="btn" disabled={busy} data-testid="probe-run">
          {busy ? t.tech.running : t.tech.run}
        </button>
      </form>
      {error && (
        <p class="form-error" role="alert" data-testid="probe-error">
          {error}
        </p>
      )}
      {answer && <ProbeResult answer={answer} />}
    </section>
  );
}

function ProbeResult({ answer }: { answer: ProbeAnswer }) {
  return (
    <div class="probe-result" data-testid="probe-result" aria-live="polite">
      {answer.failures.map((f) => (
        <p key={f.block} class="card-error" data-testid="probe-failure">
          {t.tech.readFailed(`${f.block} (${f.points.join(", ")})`, f.reason)}
        </p>
      ))}
      <ul class="probe-points">
        {answer.points.map((p) => (
          <li key={p.id} data-testid="probe-point" data-point={p.id}>
            <div class="probe-head">
              <strong title={p.id}>{p.name}</strong>
              <span class="value" data-testid="probe-value">
                {p.unit ? `${p.value} ${p.unit}` : p.value}
              </span>
              <code class="probe-words" title={t.tech.words}>
                {p.words}
              </code>
            </div>
            {p.orders && (
              <ul class="probe-orders" aria-label={t.tech.order}>
                {p.orders.map((o) => (
                  <li key={o.order} class={o.current ? "current" : undefined} data-order={o.order}>
                    <span class="probe-order">
                      {o.current ? "★ " : ""}
                      {o.order}
                    </span>
                    <span class="value">{o.value}</span>
                    <code class="probe-line" title={t.tech.profileLine}>
                      {o.line}
                    </code>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
