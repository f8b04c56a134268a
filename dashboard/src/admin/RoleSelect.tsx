import type { Role } from "../auth/session.js";
import { ta } from "./strings.js";

const ROLES: Role[] = ["viewer", "operator", "admin"];

/** A role picker; `shown` puts its label above it (forms), else only screen readers read it (tables). */
export function RoleSelect(props: {
  value: Role;
  onChange: (r: Role) => void;
  label: string;
  shown?: boolean;
}) {
  return (
    <label>
      <span class={props.shown ? undefined : "sr-only"}>{props.label}</span>
      {/* Named on its own too: a wrapping label's name would also hold the options' text. */}
      <select
        aria-label={props.label}
        value={props.value}
        onChange={(e) => props.onChange((e.target as HTMLSelectElement).value as Role)}
      >
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {ta().roles[r]}
          </option>
        ))}
      </select>
    </label>
  );
}
