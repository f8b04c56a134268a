import { useEffect, useState } from "preact/hooks";
import { t } from "../../i18n.js";
import { type CsvAnswer, commissionApi } from "./commission-api.js";

/**
 * Check, then import, devices as CSV rows (a file, or a template's rows): every row checked by the
 * agent first, each error listed by row and column, and only rows that passed imported.
 */
export function CsvImport({ csv, prefix }: { csv: string; prefix: string }) {
  const [answer, setAnswer] = useState<CsvAnswer | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  // Other rows: checked again before they are imported.
  useEffect(() => setAnswer(undefined), [csv]);

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
    <>
      <div class="probe-form">
        <button
          type="button"
          class="btn"
          disabled={busy || csv === ""}
          data-testid={`${prefix}-check`}
          onClick={() => void send(true)}
        >
          {t.commission.csvCheck}
        </button>
        <button
          type="button"
          class="btn"
          disabled={busy || !checked}
          data-testid={`${prefix}-import`}
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
        <table data-testid={`${prefix}-errors`}>
          <thead>
            <tr>
              <th scope="col">{t.commission.csvRow}</th>
              <th scope="col">{t.commission.csvColumn}</th>
              <th scope="col">{t.commission.csvProblem}</th>
            </tr>
          </thead>
          <tbody>
            {answer.errors.map((e) => (
              <tr key={`${e.row}-${e.column}-${e.message}`} data-testid={`${prefix}-error`}>
                <td class="num">{e.row}</td>
                <td>{e.column}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {answer?.ok && (
        <p class="notice ok" role="status" data-testid={`${prefix}-result`}>
          {answer.dryRun
            ? t.commission.csvChecked(answer.devices.join(", "))
            : t.commission.csvImported(answer.devices.join(", "), answer.version ?? 0)}
        </p>
      )}
    </>
  );
}
