import { t } from "../../i18n.js";
import { Field } from "../Field.js";
import type { SerialSetting } from "./commission-api.js";

const BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];
const PARITIES = ["none", "even", "odd"] as const;

/** A labelled choice; its id is its test id too. */
function Choice(props: {
  id: string;
  label: string;
  value: string;
  options: readonly { value: string; label: string }[];
  onValue: (value: string) => void;
}) {
  return (
    <Field id={props.id} label={props.label}>
      <select
        id={props.id}
        data-testid={props.id}
        value={props.value}
        onChange={(e) => props.onValue(e.currentTarget.value)}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** An RS-485 device's line setting: baud rate, parity and stop bits, as the scan found them. */
export function SerialFields(props: { value: SerialSetting; onValue: (s: SerialSetting) => void }) {
  const s = props.value;
  const m = t.commission;
  const rates = BAUD_RATES.includes(s.baudRate)
    ? BAUD_RATES
    : [...BAUD_RATES, s.baudRate].sort((a, b) => a - b);
  return (
    <>
      <Choice
        id="add-baud"
        label={m.baudRate}
        value={String(s.baudRate)}
        options={rates.map((r) => ({ value: String(r), label: String(r) }))}
        onValue={(v) => props.onValue({ ...s, baudRate: Number(v) })}
      />
      <Choice
        id="add-parity"
        label={m.parity}
        value={s.parity}
        options={PARITIES.map((p) => ({ value: p, label: m.parityName(p) }))}
        onValue={(v) => props.onValue({ ...s, parity: v as SerialSetting["parity"] })}
      />
      <Choice
        id="add-stop"
        label={m.stopBits}
        value={String(s.stopBits)}
        options={[
          { value: "1", label: "1" },
          { value: "2", label: "2" },
        ]}
        onValue={(v) => props.onValue({ ...s, stopBits: v === "2" ? 2 : 1 })}
      />
    </>
  );
}
