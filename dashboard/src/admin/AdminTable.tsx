import type { ComponentChildren } from "preact";

/** A table of the admin pages: its column heads, then the caller's rows. */
export function AdminTable(props: { heads: string[]; children: ComponentChildren; testId?: string }) {
  return (
    <table data-testid={props.testId}>
      <thead>
        <tr>
          {props.heads.map((h) => (
            <th key={h}>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
}
