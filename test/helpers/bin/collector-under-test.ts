// The real collector service with test knobs (knobs.ts), run from source through tsx:
//   node --import tsx test/helpers/bin/collector-under-test.ts <the collector's flags>
//     [--wire-max <version>] [--migration-pause-ms <ms>]
// test/e2e/helpers/tidegate.ts starts it instead of collector/dist/cli.js when a test sets a knob.
import { parseArgs } from "node:util";
import { collectorFlags, parseCollectorOptions, serveCollector } from "@tidegate/collector";
import { COLLECTOR_KNOBS, knobOptions, readKnobs } from "./knobs.js";
import { pauseAfterEachStep } from "./migration-pause.js";

const { values } = parseArgs({ options: { ...collectorFlags, ...knobOptions(COLLECTOR_KNOBS) } });
const knobs = readKnobs(values, COLLECTOR_KNOBS);

await serveCollector(parseCollectorOptions(values), {
  wireMax: knobs.wireMax,
  afterMigrationStep: knobs.migrationPauseMs ? pauseAfterEachStep(knobs.migrationPauseMs) : undefined,
});
