import { useState } from "preact/hooks";
import { usePoll } from "../../api.js";
import { localApi } from "../local-api.js";
import { AddDevicePanel } from "./AddDevicePanel.js";
import { CsvPanel } from "./CsvPanel.js";
import { OpcuaPanel } from "./OpcuaPanel.js";
import { type Pick, ScanPanel } from "./ScanPanel.js";
import { TemplatePanel } from "./TemplatePanel.js";

/** Commissioning (operators and admins): find devices, pick a profile, preview, save. */
export function CommissionPage({ taken }: { taken: readonly string[] }) {
  const options = usePoll((signal) => localApi.probeOptions(signal), 60_000);
  const [pick, setPick] = useState<{ n: number; pick: Pick } | undefined>();
  return (
    <div class="technician" data-testid="commission-page">
      <ScanPanel onPick={(p) => setPick((old) => ({ n: (old?.n ?? 0) + 1, pick: p }))} />
      {pick && (
        <AddDevicePanel key={pick.n} pick={pick.pick} profiles={options.data?.profiles ?? []} taken={taken} />
      )}
      <TemplatePanel profiles={options.data?.profiles ?? []} />
      <OpcuaPanel taken={taken} />
      <CsvPanel />
    </div>
  );
}
