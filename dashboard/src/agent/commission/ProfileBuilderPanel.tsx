import { useState } from "preact/hooks";
import { t } from "../../i18n.js";
import { InputField } from "../Field.js";
import { commissionApi, type DeviceDraft, type PreviewAnswer, type ProfileAnswer } from "./commission-api.js";
import { draftOf, emptyRow, type ProfileMeta, type RegisterRow, readingsOf } from "./profile-draft.js";
import { RegisterTableEditor } from "./RegisterTableEditor.js";

/**
 * A profile for a device no profile fits: the manual's register table, read from the device with
 * every byte order shown, checked against the values on the device's display, and saved in the
 * gateway's profiles folder (with those values as its testdata), ready to add the device with.
 */
export function ProfileBuilderPanel(props: {
  device: Omit<DeviceDraft, "profile">;
  onSaved: (profile: string) => void;
}) {
  const b = t.builder;
  const [meta, setMeta] = useState<ProfileMeta>({ id: "", vendor: "", model: "", title: "", url: "" });
  const [rows, setRows] = useState<RegisterRow[]>([emptyRow()]);
  const [read, setRead] = useState<PreviewAnswer | undefined>();
  const [display, setDisplay] = useState<Record<string, string>>({});
  const [answer, setAnswer] = useState<ProfileAnswer | undefined>();
  const [busy, setBusy] = useState<"read" | "check" | "save" | undefined>();
  const [error, setError] = useState<string | undefined>();

  const field = (key: keyof ProfileMeta, label: string, placeholder?: string) => (
    <InputField
      id={`builder-${key}`}
      label={label}
      value={meta[key]}
      onValue={(v) => setMeta((m) => ({ ...m, [key]: v }))}
      required
      {...(placeholder ? { placeholder } : {})}
    />
  );
  const draft = () => draftOf(meta, rows, props.device.unitId);
  const act = async (what: "read" | "check" | "save") => {
    setBusy(what);
    setError(undefined);
    try {
      if (what === "read") {
        setRead(await commissionApi.previewDraft({ ...props.device, profile: meta.id.trim() }, draft()));
        setAnswer(undefined);
      } else {
        const result = await commissionApi.saveProfile(
          draft(),
          read ? readingsOf(read, display) : [],
          what === "check",
        );
        setAnswer(result);
        if (result.ok && !result.dryRun) props.onSaved(result.profile);
      }
    } catch (err) {
      setError(t.commission.failed((err as Error).message));
    } finally {
      setBusy(undefined);
    }
  };
  const saved = answer?.ok === true && !answer.dryRun ? answer : undefined;

  return (
    <div class="builder" data-testid="builder-panel">
      <h3>{b.title}</h3>
      <p class="muted small">{b.hint}</p>
      <div class="probe-form">
        {field("id", b.id, "acme/em10")}
        {field("vendor", b.vendor)}
        {field("model", b.model)}
        {field("title", b.manualTitle)}
        {field("url", b.manualUrl, "https://…")}
      </div>
      <RegisterTableEditor rows={rows} onRows={setRows} />
      <p>
        <button
          type="button"
          class="btn small secondary"
          data-testid="builder-add-row"
          onClick={() => setRows([...rows, emptyRow()])}
        >
          {b.addRow}
        </button>{" "}
        <button
          type="button"
          class="btn secondary"
          disabled={busy !== undefined}
          data-testid="builder-read"
          onClick={() => void act("read")}
        >
          {busy === "read" ? t.commission.previewing : b.read}
        </button>
      </p>
      {error && (
        <p class="form-error" role="alert" data-testid="builder-error">
          {error}
        </p>
      )}
      {read && (
        <ReadTable
          answer={read}
          display={display}
          onDisplay={(id, v) => setDisplay((d) => ({ ...d, [id]: v }))}
        />
      )}
      {read && (
        <p>
          <button
            type="button"
            class="btn secondary"
            disabled={busy !== undefined}
            data-testid="builder-check"
            onClick={() => void act("check")}
          >
            {b.check}
          </button>{" "}
          <button
            type="button"
            class="btn"
            disabled={busy !== undefined || saved !== undefined}
            data-testid="builder-save"
            onClick={() => void act("save")}
          >
            {busy === "save" ? t.commission.saving : b.save}
          </button>
        </p>
      )}
      {answer && !answer.ok && (
        <ul class="form-error" role="alert" data-testid="builder-issues">
          {answer.issues.map((i) => (
            <li key={i} data-testid="builder-issue">
              {i}
            </li>
          ))}
        </ul>
      )}
      {answer?.ok && answer.dryRun && (
        <p class="notice ok" role="status" data-testid="builder-checked">
          {b.checked}
        </p>
      )}
      {saved && (
        <p class="notice ok" role="status" data-testid="builder-saved">
          {b.saved(saved.profile, saved.file)}{" "}
          <a
            href={`api/v1/commission/profiles/${saved.profile}.yaml`}
            download
            data-testid="builder-download"
          >
            {b.download}
          </a>
        </p>
      )}
    </div>
  );
}

/** The values read with the table, every byte order of multi-register values, and what the display shows. */
function ReadTable(props: {
  answer: PreviewAnswer;
  display: Readonly<Record<string, string>>;
  onDisplay: (point: string, value: string) => void;
}) {
  const b = t.builder;
  const cycle = props.answer.cycles[0];
  return (
    <div class="table-wrap" data-testid="builder-read-result">
      {cycle?.failures.map((f) => (
        <p key={f.block} class="card-error">
          {t.tech.readFailed(`${f.block} (${f.points.join(", ")})`, f.reason)}
        </p>
      ))}
      <table>
        <thead>
          <tr>
            <th scope="col">{b.pointName}</th>
            <th scope="col">{b.words}</th>
            <th scope="col">{b.decoded}</th>
            <th scope="col">{b.otherOrders}</th>
            <th scope="col">{b.display}</th>
          </tr>
        </thead>
        <tbody>
          {cycle?.points.map((p) => (
            <tr key={p.id} data-testid="builder-point" data-point={p.id}>
              <th scope="row">{p.name}</th>
              <td class="mono">{p.words}</td>
              <td class="value" data-testid="builder-value">
                {`${p.value}${p.unit ? ` ${p.unit}` : ""}`}
              </td>
              <td class="small">
                {p.orders
                  ?.filter((o) => o.value !== p.value)
                  .map((o) => `${o.order}: ${o.value}`)
                  .join(" · ") ?? ""}
              </td>
              <td>
                <input
                  aria-label={b.displayOf(p.name)}
                  data-testid="builder-display"
                  size={8}
                  value={props.display[p.id] ?? ""}
                  onInput={(e) => props.onDisplay(p.id, e.currentTarget.value)}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
