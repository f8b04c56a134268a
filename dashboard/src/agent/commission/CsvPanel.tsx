import { useState } from "preact/hooks";
import { t } from "../../i18n.js";
import { type CsvAnswer, commissionApi } from "./commission-api.js";

/** Many devices at once: the gateway's devices as CSV, and an import checked row by row first. */
export function CsvPanel() {
  const [csv, setCsv] = useState("");
  const [answer, setAnswer] = useState<CsvAnswer | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const send = async (dryRun: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      setAnswer(await commissionApi.importCsv(csv, dryRun));
    } catch (err) {
      setError(t.commission.failed((err as Error).message));
    } finally {
      setBusy(false);
    }
  };
  const checked = answer?.ok === true && answer.dryRun;

  return (
    <section class="panel" data-testid="csv-panel">
      <h2>{t.commission.csvTitle}</h2>
      <p class="muted small">{t.commission.csvHint}</p>
      <p>
        <a href="api/v1/commission/devices.csv" download="devices.csv" data-testid="csv-export">
          {t.commission.csvExport}
        </a>
      </p>
      <label class="field-label" for="csv-file">
        {t.commission.csvFile}
      </label>{" "}
      <input
        id="csv-file"
        type="file"
        accept=".csv,text/csv"
        data-testid="csv-file"
        onChange={async (e) => {
          const file = e.currentTarget.files?.[0];
          setAnswer(undefined);
          setCsv(file ? await file.text() : "");
        }}
      />
      <div class="probe-form">
        <button
          type="button"
          class="btn"
          disabled={busy || csv === ""}
          data-testid="csv-check"
          onClick={() => void send(true)}
        >
          {t.commission.csvCheck}
        </button>
        <button
          type="button"
          class="btn"
          disabled={busy || !checked}
          data-testid="csv-import"
          onClick={() => void send(false)}
        >
          {t.commission.csvImport}
        </button>
      </div>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {answer?.ok === false && (
        <table data-testid="csv-errors">
          <thead>
            <tr>
              <th scope="col">{t.commission.csvRow}</th>
              <th scope="col">{t.commission.csvColumn}</th>
              <th scope="col">{t.commission.csvProblem}</th>
            </tr>
          </thead>
          <tbody>
            {answer.errors.map((e) => (
              <tr key={`${e.row}-${e.column}-${e.message}`} data-testid="csv-error">
                <td class="num">{e.row}</td>
                <td>{e.column}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {answer?.ok && (
        <p class="notice ok" role="status" data-testid="csv-result">
          {answer.dryRun
            ? t.commission.csvChecked(answer.devices.join(", "))
            : t.commission.csvImported(answer.devices.join(", "), answer.version ?? 0)}
        </p>
      )}
    </section>
  );
}
