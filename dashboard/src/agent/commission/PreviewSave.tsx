import { useState } from "preact/hooks";
import { t } from "../../i18n.js";
import { InputField } from "../Field.js";
import { commissionApi, type DeviceDraft, type OpcuaDraft, type PreviewAnswer } from "./commission-api.js";

/** A candidate's preview and save, as every commissioning add does them: preview first, then one config change. */
export function usePreviewSave(device: () => DeviceDraft | OpcuaDraft) {
  const [preview, setPreview] = useState<PreviewAnswer | undefined>();
  const [busy, setBusy] = useState<"preview" | "save" | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [saved, setSaved] = useState<{ device: string; version: number } | undefined>();
  const act = async (what: "preview" | "save") => {
    setBusy(what);
    setError(undefined);
    try {
      if (what === "preview") setPreview(await commissionApi.preview(device()));
      else setSaved(await commissionApi.add(device()));
    } catch (err) {
      setError(t.commission.failed((err as Error).message));
    } finally {
      setBusy(undefined);
    }
  };
  return { preview, busy, error, saved, act };
}
type State = ReturnType<typeof usePreviewSave>;

/** The form's two buttons: Preview submits the form, Save needs a preview first. */
export function PreviewSaveButtons({ state, prefix }: { state: State; prefix: string }) {
  return (
    <>
      <button
        type="submit"
        class="btn secondary"
        disabled={state.busy !== undefined}
        data-testid={`${prefix}-preview`}
      >
        {state.busy === "preview" ? t.commission.previewing : t.commission.preview}
      </button>
      <button
        type="button"
        class="btn"
        disabled={state.busy !== undefined || !state.preview || state.saved !== undefined}
        data-testid={`${prefix}-save`}
        onClick={() => void state.act("save")}
      >
        {state.busy === "save" ? t.commission.saving : t.commission.save}
      </button>
    </>
  );
}

/** What came back: the error, the preview's readings, the version that added the device. */
export function PreviewSaveResult({ state, prefix }: { state: State; prefix: string }) {
  return (
    <>
      {state.error && (
        <p class="form-error" role="alert" data-testid={`${prefix}-error`}>
          {state.error}
        </p>
      )}
      {state.preview && <PreviewTable answer={state.preview} />}
      {state.saved && (
        <p class="notice ok" role="status" data-testid={`${prefix}-saved`}>
          {t.commission.saved(state.saved.device, state.saved.version)}{" "}
          <a href="#/">{t.commission.seeOverview}</a>
        </p>
      )}
    </>
  );
}

export function PreviewTable({ answer }: { answer: PreviewAnswer }) {
  const rows = answer.cycles[0]?.points ?? [];
  return (
    <div class="table-wrap" data-testid="add-preview-result">
      {answer.cycles.flatMap((c) =>
        c.failures.map((f) => (
          <p key={`${c.at}-${f.block}`} class="card-error">
            {t.tech.readFailed(`${f.block} (${f.points.join(", ")})`, f.reason)}
          </p>
        )),
      )}
      <table>
        <tbody>
          {rows.map((p) => (
            <tr key={p.id} data-testid="preview-point" data-point={p.id}>
              <th scope="row">{p.name}</th>
              {answer.cycles.map((c) => {
                const v = c.points.find((x) => x.id === p.id);
                return (
                  <td key={c.at} class="value">
                    {v ? `${v.value}${v.unit ? ` ${v.unit}` : ""}` : t.noValue}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The new device's id, in the letters the config allows. */
export function DeviceIdField(props: { id: string; value: string; onValue: (v: string) => void }) {
  return (
    <InputField
      id={props.id}
      label={t.commission.name}
      value={props.value}
      onValue={props.onValue}
      required
      pattern="[A-Za-z0-9_\-]+"
    />
  );
}
