import { useState } from "preact/hooks";
import { t } from "../../i18n.js";
import { InputField } from "../Field.js";
import type { SerialSetting } from "./commission-api.js";
import { deviceOf, suggestId, transportOf, withSerial } from "./draft.js";
import { DeviceIdField, PreviewSaveButtons, PreviewSaveResult, usePreviewSave } from "./PreviewSave.js";
import { ProfileBuilderPanel } from "./ProfileBuilderPanel.js";
import { ProfileSelect } from "./ProfileSelect.js";
import type { Pick } from "./ScanPanel.js";
import { SerialFields } from "./SerialFields.js";

/**
 * The picked device, ready to add: profile, name, poll interval and points; a preview of a few
 * polls before saving; saving goes through the agent's config change (a new config version).
 */
export function AddDevicePanel(props: { pick: Pick; profiles: readonly string[]; taken: readonly string[] }) {
  const { pick } = props;
  const first = pick.candidate?.profile ?? "";
  const [profile, setProfile] = useState(first);
  const [id, setId] = useState(() => suggestId(first || "device", pick.found.unitId, props.taken));
  const [interval, setIntervalMs] = useState("1000");
  const [unitId, setUnitId] = useState(String(pick.found.unitId));
  const known = profile === pick.candidate?.profile ? pick.candidate.values.map((v) => v.id) : [];
  // The device is built on each click, from the points the preview found.
  const state = usePreviewSave(() => device());
  const { preview } = state;
  const allPoints =
    preview?.profile === profile ? (preview.cycles[0]?.points.map((p) => p.id) ?? known) : known;
  const [points, setPoints] = useState<string[] | undefined>();
  const chosen = points ?? allPoints;
  const [building, setBuilding] = useState(false);
  // An RS-485 device's line setting, as the scan found it; the technician may change it.
  const scanned = transportOf(pick.request, pick.found);
  const [serial, setSerial] = useState<SerialSetting | undefined>(() =>
    scanned.type === "rtu"
      ? {
          baudRate: scanned.baudRate,
          parity: scanned.parity,
          dataBits: scanned.dataBits,
          stopBits: scanned.stopBits,
        }
      : undefined,
  );
  // Profiles saved by the builder, before the page's list of profiles is read again.
  const [built, setBuilt] = useState<string[]>([]);
  const profiles = [...new Set([...props.profiles, ...built])].sort();

  const device = () =>
    deviceOf({
      id,
      profile,
      transport: withSerial(scanned, serial),
      unitId: Number(unitId),
      pollIntervalMs: Number(interval),
      points: chosen,
      allPoints,
    });
  const toggle = (point: string, on: boolean) =>
    setPoints(on ? [...chosen.filter((p) => p !== point), point] : chosen.filter((p) => p !== point));

  return (
    <section class="panel" data-testid="add-panel">
      <h2>{t.commission.addTitle}</h2>
      {!pick.candidate && (
        <p class="muted small">
          {t.commission.noneFitsHint}{" "}
          <button
            type="button"
            class="btn small secondary"
            data-testid="add-build-profile"
            onClick={() => setBuilding(true)}
          >
            {t.commission.buildProfile}
          </button>
        </p>
      )}
      {building && (
        <ProfileBuilderPanel
          device={{
            id: id.trim() || "draft",
            transport: withSerial(scanned, serial),
            unitId: Number(unitId),
            pollIntervalMs: Number(interval),
          }}
          onSaved={(p) => {
            // A preview of another profile no longer lists this one's points (allPoints).
            setBuilt((b) => [...b, p]);
            setProfile(p);
            setPoints(undefined);
          }}
        />
      )}
      <form
        class="probe-form"
        onSubmit={(e) => {
          e.preventDefault();
          void state.act("preview");
        }}
      >
        <ProfileSelect
          id="add-profile"
          value={profile}
          profiles={profiles}
          onValue={(p) => {
            setProfile(p);
            setPoints(undefined);
          }}
        />
        <DeviceIdField id="add-id" value={id} onValue={setId} />
        <InputField
          id="add-unit"
          label={t.commission.unitId}
          value={unitId}
          onValue={setUnitId}
          type="number"
          min={0}
          max={255}
        />
        {serial && <SerialFields value={serial} onValue={setSerial} />}
        <InputField
          id="add-interval"
          label={t.commission.interval}
          value={interval}
          onValue={setIntervalMs}
          type="number"
          min={100}
          step={100}
        />
        {allPoints.length > 0 && (
          <fieldset class="add-points" data-testid="add-points">
            <legend>{t.commission.points}</legend>
            {allPoints.map((p) => (
              <label key={p} class="check">
                <input
                  type="checkbox"
                  checked={chosen.includes(p)}
                  data-point={p}
                  onChange={(e) => toggle(p, e.currentTarget.checked)}
                />{" "}
                {p}
              </label>
            ))}
          </fieldset>
        )}
        <PreviewSaveButtons state={state} prefix="add" />
      </form>
      <p class="muted small">{t.commission.previewHint}</p>
      <PreviewSaveResult state={state} prefix="add" />
    </section>
  );
}
