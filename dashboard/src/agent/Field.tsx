import type { ComponentChildren } from "preact";

/** A form field with its label above it. */
export function Field(props: { id: string; label: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label class="field-label" for={props.id}>
        {props.label}
      </label>
      {props.children}
    </div>
  );
}

interface InputProps {
  type?: "text" | "number";
  min?: number;
  max?: number;
  step?: number;
  required?: boolean;
  placeholder?: string;
  pattern?: string;
}

/** A labelled text or number input; its id is its test id too. */
export function InputField(
  props: { id: string; label: string; value: string; onValue: (value: string) => void } & InputProps,
) {
  const { id, label, value, onValue, ...input } = props;
  return (
    <Field id={id} label={label}>
      <input
        id={id}
        data-testid={id}
        value={value}
        onInput={(e) => onValue(e.currentTarget.value)}
        // preact types each input type on its own; these few attributes fit every one of them
        {...(input as Record<string, unknown>)}
      />
    </Field>
  );
}
