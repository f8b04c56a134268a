import type { PointEntry } from "@tidegate/protocol";
import { useState } from "preact/hooks";
import { t } from "../i18n.js";
import { parseWriteValue } from "./commands.js";

const devicesOf = (points: PointEntry[]) => [...new Set(points.map((p) => p.device))].sort();

/** Device, point (from the gateway's points) and value; the agent refuses points that are not writable. */
export function WriteForm(props: {
  points: PointEntry[];
  disabled: boolean;
  onWrite: (device: string, point: string, value: number | boolean) => void;
}) {
  const devices = devicesOf(props.points);
  const [picked, setDevice] = useState("");
  // The points may arrive after the form: until a device is picked, the first one is meant.
  const device = devices.includes(picked) ? picked : (devices[0] ?? "");
  const choices = props.points.filter((p) => p.device === device).map((p) => p.point);
  const [point, setPoint] = useState("");
  const [text, setText] = useState("");
  const [bad, setBad] = useState(false);
  const chosen = choices.includes(point) ? point : (choices[0] ?? "");
  return (
    <form
      class="command-form"
      data-testid="command-write-form"
      aria-label={t.commands.writeTitle}
      onSubmit={(e) => {
        e.preventDefault();
        const value = parseWriteValue(text);
        setBad(value === undefined);
        if (value !== undefined && chosen) props.onWrite(device, chosen, value);
      }}
    >
      <label>
        <span>{t.commands.device}</span>
        <select value={device} onChange={(e) => setDevice(e.currentTarget.value)} name="device">
          {devices.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t.commands.point}</span>
        <select value={chosen} onChange={(e) => setPoint(e.currentTarget.value)} name="point">
          {choices.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t.commands.value}</span>
        <input
          name="value"
          inputMode="decimal"
          size={8}
          value={text}
          title={t.commands.valueHint}
          aria-invalid={bad ? "true" : undefined}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </label>
      <button type="submit" class="btn" disabled={props.disabled || !chosen}>
        {t.commands.write}
      </button>
      {bad && (
        <p class="form-error" role="alert">
          {t.commands.badValue}
        </p>
      )}
    </form>
  );
}

/** Restarts one device's source, or every source. */
export function RestartForm(props: {
  points: PointEntry[];
  disabled: boolean;
  onRestart: (device: string | undefined) => void;
}) {
  const [device, setDevice] = useState("");
  return (
    <form
      class="command-form"
      aria-label={t.commands.restart}
      onSubmit={(e) => {
        e.preventDefault();
        props.onRestart(device || undefined);
      }}
    >
      <label>
        <span>{t.commands.device}</span>
        <select value={device} onChange={(e) => setDevice(e.currentTarget.value)} name="restart-device">
          <option value="">{t.commands.restartAll}</option>
          {devicesOf(props.points).map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" class="btn" disabled={props.disabled}>
        {t.commands.restart}
      </button>
    </form>
  );
}

/** How many log lines to fetch, then fetch them. */
export function LogsForm(props: { disabled: boolean; onTail: (lines: number) => void }) {
  const [lines, setLines] = useState(50);
  return (
    <form
      class="command-form"
      aria-label={t.commands.logsTail}
      onSubmit={(e) => {
        e.preventDefault();
        props.onTail(lines);
      }}
    >
      <label>
        <span>{t.commands.logLines}</span>
        <input
          type="number"
          name="lines"
          min={1}
          max={1000}
          size={5}
          value={lines}
          onInput={(e) => setLines(Math.min(1000, Math.max(1, Number(e.currentTarget.value) || 1)))}
        />
      </label>
      <button type="submit" class="btn" disabled={props.disabled}>
        {t.commands.logsTail}
      </button>
    </form>
  );
}
