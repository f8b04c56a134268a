import { useEffect, useState } from "preact/hooks";
import { t } from "../../i18n.js";
import { Field, InputField } from "../Field.js";
import {
  commissionApi,
  type FoundDevice,
  type ScanCandidate,
  type ScanRequest,
  type ScanState,
} from "./commission-api.js";

export interface Pick {
  request: ScanRequest;
  found: FoundDevice;
  candidate?: ScanCandidate;
}

const POLL_MS = 700;

/** The scan form, its progress (with cancel) and what it found, each candidate with its live values. */
export function ScanPanel({ onPick }: { onPick: (pick: Pick) => void }) {
  const [mode, setMode] = useState<"serial" | "tcp">("tcp");
  const [serial, setSerial] = useState("");
  const [host, setHost] = useState("");
  const [port, setPort] = useState("502");
  const [from, setFrom] = useState("1");
  const [to, setTo] = useState("247");
  const [pause, setPause] = useState(false);
  const [request, setRequest] = useState<ScanRequest | undefined>();
  const [scan, setScan] = useState<ScanState | undefined>();
  const [error, setError] = useState<string | undefined>();

  // Reading the scan also keeps one that pauses polling alive; the agent cancels it when nobody reads.
  useEffect(() => {
    if (scan?.state !== "running") return;
    const timer = setTimeout(async () => {
      try {
        setScan(await commissionApi.scan());
      } catch (err) {
        setError((err as Error).message);
      }
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [scan]);

  const start = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    const unitIds = { from: Number(from), to: Number(to) };
    const req: ScanRequest =
      mode === "tcp"
        ? { host: host.trim(), port: Number(port), unitIds }
        : { serial: serial.trim(), unitIds, ...(pause ? { pausePolling: true } : {}) };
    try {
      setScan(await commissionApi.startScan(req));
      setRequest(req);
    } catch (err) {
      setError(t.commission.failed((err as Error).message));
    }
  };
  const cancel = async () => {
    try {
      await commissionApi.cancelScan();
      setScan(await commissionApi.scan());
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const running = scan?.state === "running";
  const p = scan?.progress;

  return (
    <section class="panel" data-testid="scan-panel">
      <h2>{t.commission.scanTitle}</h2>
      <p class="muted small">{t.commission.scanHint}</p>
      <form class="probe-form" onSubmit={start}>
        <Field id="scan-mode" label={t.commission.where}>
          <select
            id="scan-mode"
            value={mode}
            data-testid="scan-mode"
            onChange={(e) => setMode(e.currentTarget.value as "serial" | "tcp")}
          >
            <option value="tcp">{t.commission.tcp}</option>
            <option value="serial">{t.commission.serial}</option>
          </select>
        </Field>
        {mode === "serial" ? (
          <InputField
            id="scan-serial"
            label={t.commission.serialPort}
            value={serial}
            onValue={setSerial}
            required
            placeholder="/dev/serial/by-id/…"
          />
        ) : (
          <>
            <InputField id="scan-host" label={t.commission.host} value={host} onValue={setHost} required />
            <InputField
              id="scan-port"
              label={t.commission.port}
              value={port}
              onValue={setPort}
              type="number"
              min={1}
              max={65535}
              required
            />
          </>
        )}
        <InputField
          id="scan-from"
          label={t.commission.idsFrom}
          value={from}
          onValue={setFrom}
          type="number"
          min={1}
          max={247}
        />
        <InputField
          id="scan-to"
          label={t.commission.idsTo}
          value={to}
          onValue={setTo}
          type="number"
          min={1}
          max={247}
        />
        {mode === "serial" && (
          <label class="check">
            <input
              type="checkbox"
              checked={pause}
              data-testid="scan-pause"
              onChange={(e) => setPause(e.currentTarget.checked)}
            />{" "}
            {t.commission.pausePolling}
          </label>
        )}
        <button type="submit" class="btn" disabled={running} data-testid="scan-start">
          {t.commission.start}
        </button>
        {running && (
          <button type="button" class="btn secondary" onClick={cancel} data-testid="scan-cancel">
            {t.commission.cancel}
          </button>
        )}
      </form>
      {error && (
        <p class="form-error" role="alert" data-testid="scan-error">
          {error}
        </p>
      )}
      {scan && p && (
        <div class="scan-status" data-testid="scan-status" data-state={scan.state} aria-live="polite">
          <p>
            <strong>{t.commission.state(scan.state)}</strong>{" "}
            {t.commission.progress(p.settingsDone, p.settingsTotal, p.idsTried, p.idsTotal, p.found.length)}
            {running && p.current ? ` · ${t.commission.current(p.current)}` : ""}
            {running ? ` · ${t.commission.timeLeft(Math.ceil(p.etaMs / 1000))}` : ""}
          </p>
          <progress max={Math.max(1, p.idsTotal)} value={p.idsTried} />
          {p.pollingPaused && (
            <p class="notice warn" role="status" data-testid="polling-paused">
              {t.commission.paused(scan.target)}
            </p>
          )}
          {scan.skipped.length > 0 && (
            <p class="muted small">{t.commission.skipped(scan.skipped.join(", "))}</p>
          )}
          {scan.error && <p class="form-error">{scan.error}</p>}
          {!running && p.found.length === 0 && <p class="notice">{t.commission.nothingFound}</p>}
        </div>
      )}
      {request && p && p.found.length > 0 && (
        <ul class="scan-found">
          {p.found.map((f) => (
            <Found
              key={`${f.setting}-${f.unitId}`}
              found={f}
              onPick={(candidate) => onPick({ request, found: f, candidate })}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function Found({ found, onPick }: { found: FoundDevice; onPick: (c?: ScanCandidate) => void }) {
  return (
    <li class="scan-device" data-testid="scan-found" data-unit={found.unitId} data-setting={found.setting}>
      <h3>{t.commission.found(found.unitId, found.setting)}</h3>
      <ol class="scan-candidates">
        {(found.candidates ?? []).slice(0, 3).map((c) => (
          <li key={c.profile} data-testid="scan-candidate" data-profile={c.profile}>
            <div class="probe-head">
              <strong>{c.profile}</strong>
              <span class="muted small">{t.commission.score(c.score)}</span>
              <button type="button" class="btn small" data-testid="scan-use" onClick={() => onPick(c)}>
                {t.commission.use}
              </button>
            </div>
            <p class="muted small">{c.evidence.map((e) => e.text).join(" · ")}</p>
            <p class="small" data-testid="scan-values">
              {c.values
                .slice(0, 6)
                .map(
                  (v) =>
                    `${v.name} ${typeof v.value === "number" ? Number(v.value.toPrecision(6)) : v.value}${v.unit ? ` ${v.unit}` : ""}`,
                )
                .join(" · ")}
            </p>
          </li>
        ))}
      </ol>
      <button
        type="button"
        class="btn secondary small"
        data-testid="scan-none-fits"
        onClick={() => onPick(undefined)}
      >
        {t.commission.noneFits}
      </button>
    </li>
  );
}
