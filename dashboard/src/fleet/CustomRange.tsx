import { useState } from "preact/hooks";
import { fromLocalInput, toLocalInput, type Window } from "../chart/range.js";
import { t } from "../i18n.js";

interface Props {
  /** Prefills the inputs: what the chart shows now. */
  window: Window | undefined;
  onApply: (from: number, to: number) => void;
}

/** A from/to pair of date-time inputs in the browser's time zone. */
export function CustomRange({ window: shown, onApply }: Props) {
  const [from, setFrom] = useState(() => (shown ? toLocalInput(shown.from) : ""));
  const [to, setTo] = useState(() => (shown ? toLocalInput(shown.to) : ""));
  const [invalid, setInvalid] = useState(false);
  return (
    <form
      class="custom-range"
      data-testid="custom-range"
      onSubmit={(e) => {
        e.preventDefault();
        const a = fromLocalInput(from);
        const b = fromLocalInput(to);
        const ok = a !== undefined && b !== undefined && a < b;
        setInvalid(!ok);
        if (ok) onApply(a, b);
      }}
    >
      <DateTimeField
        label={t.rangeFrom}
        testId="custom-from"
        value={from}
        onInput={setFrom}
        invalid={invalid}
      />
      <DateTimeField label={t.rangeTo} testId="custom-to" value={to} onInput={setTo} invalid={invalid} />
      <button type="submit" class="btn" data-testid="custom-apply">
        {t.rangeApply}
      </button>
      {invalid && (
        <p class="form-error" role="alert">
          {t.rangeInvalid}
        </p>
      )}
    </form>
  );
}

function DateTimeField(p: {
  label: string;
  testId: string;
  value: string;
  onInput: (v: string) => void;
  invalid: boolean;
}) {
  return (
    <label>
      <span>{p.label}</span>
      <input
        type="datetime-local"
        data-testid={p.testId}
        value={p.value}
        onInput={(e) => p.onInput(e.currentTarget.value)}
        aria-invalid={p.invalid}
      />
    </label>
  );
}
