import { t } from "../../i18n.js";
import { BYTE_ORDERS, REGISTER_TYPES, type RegisterRow } from "./profile-draft.js";

/** The manual's register table, one row per register, in the manual's notation (30001, 40001). */
export function RegisterTableEditor(props: {
  rows: readonly RegisterRow[];
  onRows: (rows: RegisterRow[]) => void;
}) {
  const set = (i: number, key: keyof RegisterRow, value: string) =>
    props.onRows(props.rows.map((r, j) => (j === i ? { ...r, [key]: value } : r)));
  const text = (i: number, key: keyof RegisterRow, label: string, size: number) => (
    <input
      aria-label={`${label} ${i + 1}`}
      data-testid={`row-${key}`}
      size={size}
      value={props.rows[i]?.[key] ?? ""}
      onInput={(e) => set(i, key, e.currentTarget.value)}
    />
  );
  const choice = (i: number, key: keyof RegisterRow, label: string, options: readonly string[]) => (
    <select
      aria-label={`${label} ${i + 1}`}
      data-testid={`row-${key}`}
      value={props.rows[i]?.[key] ?? ""}
      onChange={(e) => set(i, key, e.currentTarget.value)}
    >
      {options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
  const b = t.builder;
  return (
    <div class="table-wrap">
      <table data-testid="builder-table">
        <thead>
          <tr>
            <th scope="col">{b.address}</th>
            <th scope="col">{b.pointName}</th>
            <th scope="col">{b.type}</th>
            <th scope="col">{b.order}</th>
            <th scope="col">{b.scale}</th>
            <th scope="col">{b.unit}</th>
            <th scope="col">{b.access}</th>
            <th scope="col">{b.min}</th>
            <th scope="col">{b.max}</th>
            <th scope="col">{b.bit}</th>
            <th scope="col">
              <span class="sr-only">{b.remove}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((_, i) => (
            // Rows have no identity but their place; editing keeps the place.
            <tr key={i} data-testid="builder-row">
              <td>{text(i, "address", b.address, 7)}</td>
              <td>{text(i, "name", b.pointName, 16)}</td>
              <td>{choice(i, "type", b.type, REGISTER_TYPES)}</td>
              <td>{choice(i, "order", b.order, BYTE_ORDERS)}</td>
              <td>{text(i, "scale", b.scale, 5)}</td>
              <td>{text(i, "unit", b.unit, 4)}</td>
              <td>{choice(i, "access", b.access, ["read", "readwrite"])}</td>
              <td>{text(i, "min", b.min, 5)}</td>
              <td>{text(i, "max", b.max, 5)}</td>
              <td>{text(i, "bit", b.bit, 2)}</td>
              <td>
                <button
                  type="button"
                  class="btn small secondary"
                  onClick={() => props.onRows(props.rows.filter((__, j) => j !== i))}
                >
                  {b.remove}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
