import { useState } from "preact/hooks";
import { t } from "../../i18n.js";
import { Field, InputField } from "../Field.js";
import { CsvImport } from "./CsvImport.js";
import { ProfileSelect } from "./ProfileSelect.js";
import { type DeviceTemplate, templateCsv } from "./template.js";

/** N identical devices on one bus: one form, expanded into CSV rows with the import's checks and dry run. */
export function TemplatePanel({ profiles }: { profiles: readonly string[] }) {
  const m = t.template;
  const [tpl, setTpl] = useState<DeviceTemplate>({
    base: "",
    profile: "",
    transport: "rtu",
    address: "",
    serial: "9600 8N1",
    unitIds: "1-10",
    pollIntervalMs: "1000",
  });
  const set = (key: keyof DeviceTemplate) => (value: string) => setTpl((x) => ({ ...x, [key]: value }));
  const rows = templateCsv(tpl);
  const ready = tpl.base.trim() !== "" && tpl.profile !== "" && tpl.address.trim() !== "";
  return (
    <section class="panel" data-testid="template-panel">
      <h2>{m.title}</h2>
      <p class="muted small">{m.hint}</p>
      <div class="probe-form">
        <InputField id="template-base" label={m.base} value={tpl.base} onValue={set("base")} required />
        <ProfileSelect
          id="template-profile"
          value={tpl.profile}
          profiles={profiles}
          onValue={set("profile")}
        />
        <Field id="template-transport" label={m.transport}>
          <select
            id="template-transport"
            data-testid="template-transport"
            value={tpl.transport}
            onChange={(e) => set("transport")(e.currentTarget.value)}
          >
            <option value="rtu">{m.rtu}</option>
            <option value="tcp">{m.tcp}</option>
            <option value="rtu-over-tcp">{m.rtuOverTcp}</option>
          </select>
        </Field>
        <InputField
          id="template-address"
          label={tpl.transport === "rtu" ? t.commission.serialPort : m.hostPort}
          value={tpl.address}
          onValue={set("address")}
          required
        />
        {tpl.transport === "rtu" && (
          <InputField id="template-serial" label={m.serial} value={tpl.serial} onValue={set("serial")} />
        )}
        <InputField id="template-units" label={m.unitIds} value={tpl.unitIds} onValue={set("unitIds")} />
        <InputField
          id="template-interval"
          label={t.commission.interval}
          value={tpl.pollIntervalMs}
          onValue={set("pollIntervalMs")}
          type="number"
          min={100}
          step={100}
        />
      </div>
      {"error" in rows ? (
        <p class="form-error" role="alert" data-testid="template-invalid">
          {rows.error}
        </p>
      ) : (
        <p class="muted small" data-testid="template-devices">
          {m.devices(rows.ids)}
        </p>
      )}
      <CsvImport csv={ready && "csv" in rows ? rows.csv : ""} prefix="template" />
    </section>
  );
}
