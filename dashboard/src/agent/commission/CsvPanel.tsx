import { useState } from "preact/hooks";
import { t } from "../../i18n.js";
import { CsvImport } from "./CsvImport.js";

/** Many devices at once: the gateway's devices as CSV, and an import checked row by row first. */
export function CsvPanel() {
  const [csv, setCsv] = useState("");
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
          setCsv(file ? await file.text() : "");
        }}
      />
      <CsvImport csv={csv} prefix="csv" />
    </section>
  );
}
