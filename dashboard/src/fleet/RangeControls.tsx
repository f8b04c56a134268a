import { useState } from "preact/hooks";
import {
  canPanLater,
  isZoomed,
  PRESETS,
  type PresetId,
  type TimeRange,
  type Window,
} from "../chart/range.js";
import { t } from "../i18n.js";
import { CustomRange } from "./CustomRange.js";

interface Props {
  range: TimeRange;
  /** What the chart shows now, to prefill a custom range. */
  window: Window | undefined;
  onPreset: (id: PresetId) => void;
  onPan: (direction: -1 | 1) => void;
  onReset: () => void;
  onWindow: (from: number, to: number) => void;
}

const PAN = [
  { direction: -1, testId: "pan-earlier", arrow: "←", label: () => t.panEarlier },
  { direction: 1, testId: "pan-later", arrow: "→", label: () => t.panLater },
] as const;

/** Presets, a custom window, pan buttons, a zoom reset, and whether the chart is following live. */
export function RangeControls({ range, window: shown, onPreset, onPan, onReset, onWindow }: Props) {
  const [custom, setCustom] = useState(false);
  const preset = range.live ? range.preset : undefined;
  return (
    <div class="chart-toolbar">
      <fieldset class="range-picker">
        <legend class="sr-only">{t.chartRange}</legend>
        {PRESETS.map((p) => (
          <button
            type="button"
            key={p.id}
            class="btn range"
            aria-pressed={p.id === preset}
            data-testid={`range-${p.id}`}
            onClick={() => {
              setCustom(false);
              onPreset(p.id);
            }}
          >
            {t.rangeLabel[p.id]}
          </button>
        ))}
        <button
          type="button"
          class="btn range"
          aria-expanded={custom}
          data-testid="range-custom"
          onClick={() => setCustom(!custom)}
        >
          {t.rangeCustom}
        </button>
      </fieldset>
      <div class="pan-buttons">
        {PAN.map((p) => (
          <button
            type="button"
            key={p.testId}
            class="btn"
            data-testid={p.testId}
            aria-label={p.label()}
            title={p.label()}
            disabled={p.direction === 1 && !canPanLater(range)}
            onClick={() => onPan(p.direction)}
          >
            {p.arrow}
          </button>
        ))}
        {isZoomed(range) && (
          <button type="button" class="btn" data-testid="zoom-reset" onClick={onReset}>
            {t.zoomReset}
          </button>
        )}
      </div>
      <span
        class={`live-badge ${range.live ? "is-live" : ""}`}
        data-testid="live-badge"
        data-live={range.live}
      >
        {range.live ? t.live : t.notLive}
      </span>
      {custom && (
        <CustomRange
          window={shown}
          onApply={(from, to) => {
            setCustom(false);
            onWindow(from, to);
          }}
        />
      )}
    </div>
  );
}
