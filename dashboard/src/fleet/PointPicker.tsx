import type { PointEntry } from "@tidegate/protocol";
import { t } from "../i18n.js";
import { MAX_SERIES, type PointRef, seriesKey } from "./selection.js";

interface Props {
  points: PointEntry[];
  /** The points on the chart now; they are not offered again. */
  chosen: readonly PointRef[];
  onAdd: (p: PointRef) => void;
}

/** Adds a point to the chart: a select of device/point pairs grouped by device, "device/point" values. */
export function PointPicker({ points, chosen, onAdd }: Props) {
  const taken = new Set(chosen.map((s) => seriesKey(s.device, s.point)));
  const byDevice = new Map<string, PointEntry[]>();
  for (const p of points) byDevice.set(p.device, [...(byDevice.get(p.device) ?? []), p]);
  const full = chosen.length >= MAX_SERIES;
  return (
    <div class="picker-wrap">
      <label class="picker">
        <span>{t.pointAdd}</span>
        <select
          data-testid="series-select"
          value=""
          disabled={full}
          onChange={(e) => {
            const key = e.currentTarget.value;
            e.currentTarget.value = "";
            const hit = points.find((p) => seriesKey(p.device, p.point) === key);
            if (hit) onAdd({ device: hit.device, point: hit.point });
          }}
        >
          <option value="">…</option>
          {[...byDevice].map(([device, list]) => (
            <optgroup key={device} label={device}>
              {list.map((p) => {
                const key = seriesKey(p.device, p.point);
                return (
                  <option key={p.point} value={key} disabled={taken.has(key)}>
                    {t.seriesLabel(p.device, p.point)}
                  </option>
                );
              })}
            </optgroup>
          ))}
        </select>
      </label>
      {full && <p class="small muted">{t.pointsFull(MAX_SERIES)}</p>}
    </div>
  );
}
