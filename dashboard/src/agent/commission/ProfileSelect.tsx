import { t } from "../../i18n.js";
import { Field } from "../Field.js";

/** A labelled choice of the gateway's Modbus profiles, none chosen at first; its id is its test id. */
export function ProfileSelect(props: {
  id: string;
  value: string;
  profiles: readonly string[];
  onValue: (profile: string) => void;
}) {
  return (
    <Field id={props.id} label={t.commission.profile}>
      <select
        id={props.id}
        required
        value={props.value}
        data-testid={props.id}
        onChange={(e) => props.onValue(e.currentTarget.value)}
      >
        <option value="" disabled>
          {t.noValue}
        </option>
        {props.profiles.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </select>
    </Field>
  );
}
