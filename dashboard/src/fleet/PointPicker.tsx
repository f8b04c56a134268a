import type { PointSummary } from "../api.js";
import { t } from "../i18n.js";
import { seriesKey } from "./selection.js";

interface Props {
  points: PointSummary[];
  value: string | undefined;
  onChange: (device: string, point: string) => void;
}

/** A select of device/point pairs, grouped by device; option values are "device/point". */
export function PointPicker({ points, value, onChange }: Props) {
  const byDevice = new Map<string, PointSummary[]>();
  for (const p of points) byDevice.set(p.device, [...(byDevice.get(p.device) ?? []), p]);
  return (
    <label class="picker">
      <span>{t.pointLabel}</span>
      <select
        data-testid="series-select"
        value={value}
        onChange={(e) => {
          const key = e.currentTarget.value;
          const hit = points.find((p) => seriesKey(p.device, p.point) === key);
          if (hit) onChange(hit.device, hit.point);
        }}
      >
        {[...byDevice].map(([device, list]) => (
          <optgroup key={device} label={device}>
            {list.map((p) => (
              <option key={p.point} value={seriesKey(p.device, p.point)}>
                {`${p.device} / ${p.point}`}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
    </label>
  );
}
