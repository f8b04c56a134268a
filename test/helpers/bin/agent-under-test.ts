// The real agent service with test knobs (knobs.ts), run from source through tsx:
//   node --import tsx test/helpers/bin/agent-under-test.ts --config <file> --port <n> [--wire-version 1]
//     [--max-page-count <pages>] [--migration-pause-ms <ms>]
// test/e2e/helpers/tidegate.ts starts it instead of agent/dist/cli.js when a test sets a knob.
import { parseArgs } from "node:util";
import { loadConfigFile, serveAgent } from "@tidegate/agent";
import { AGENT_KNOBS, knobOptions, readKnobs } from "./knobs.js";
import { pauseAfterEachStep } from "./migration-pause.js";

const { values } = parseArgs({
  options: { config: { type: "string" }, port: { type: "string" }, ...knobOptions(AGENT_KNOBS) },
});
const knobs = readKnobs(values, AGENT_KNOBS);
if (knobs.wireVersion !== undefined && knobs.wireVersion !== 1)
  throw new Error(`--wire-version: only 1 (an agent from before buffer epochs) can be played`);
if (!values.config) throw new Error("--config: the agent's config file is required");

await serveAgent(loadConfigFile(values.config), {
  port: values.port === undefined ? undefined : Number(values.port),
  wireVersion: knobs.wireVersion,
  bufferMaxPageCount: knobs.maxPageCount,
  afterMigrationStep: knobs.migrationPauseMs ? pauseAfterEachStep(knobs.migrationPauseMs) : undefined,
});
