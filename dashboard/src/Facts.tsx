import type { DropCounts } from "@tidegate/protocol";
import type { ComponentChildren } from "preact";
import { dropLines } from "./dropped.js";
import { t } from "./i18n.js";

export type FactTone = "warn" | "bad" | undefined;

/** One labelled figure in a `<dl class="facts">` grid; `wide` ones span two columns where there is room. */
export function Fact(props: {
  label: string;
  tone?: FactTone;
  wide?: boolean;
  testid?: string;
  attrs?: Record<string, string | number>;
  children: ComponentChildren;
}) {
  const cls = `fact${props.tone ? ` fact-${props.tone}` : ""}${props.wide ? " fact-wide" : ""}`;
  return (
    <div class={cls}>
      <dt>{props.label}</dt>
      <dd data-testid={props.testid} {...props.attrs}>
        {props.children}
      </dd>
    </div>
  );
}

/** Drop counts by reason, in words; "none" when nothing was dropped (the figure is never hidden). */
export function DropsFact({ dropped, tone }: { dropped: DropCounts | undefined; tone: "warn" | "bad" }) {
  const lines = dropLines(dropped);
  const total = lines.reduce((sum, l) => sum + l.count, 0);
  return (
    <Fact
      label={t.factDropped}
      tone={total > 0 ? tone : undefined}
      wide={lines.length > 0}
      testid="dropped"
      attrs={{ "data-count": total }}
    >
      {lines.length === 0 ? (
        t.droppedNone
      ) : (
        <ul class="drops">
          {lines.map((l) => (
            <li key={l.reason} data-reason={l.reason} data-count={l.count}>
              {l.text}
            </li>
          ))}
        </ul>
      )}
    </Fact>
  );
}
