import { type AgentLedger, agentLedger, type StoreLedger, storeLedger } from "./count.js";

export interface Settled {
  agent: AgentLedger;
  store: StoreLedger;
  /** False when the timeout ran out first: the tally then shows what never arrived. */
  complete: boolean;
  waitedMs: number;
}

/**
 * Waits for the final count: the agent's backlog is 0 and every committed seq is stored (or
 * reported dropped), and the stored count stayed put for `quietMs` (late redeliveries land).
 * On timeout it returns what it saw instead of throwing, so the scenario still prints its line
 * and the assertions say what is missing. A collector killed with messages in flight gets them
 * redelivered only after the consumer's ack_wait (5 s in the rig), so callers size the timeout for that.
 */
export async function settle(o: {
  agentUrl: string;
  dbPath: string;
  gateway: string;
  timeoutMs: number;
  quietMs?: number;
  /** Other gateways whose seqs 1..committed must be stored too before the count is final. */
  others?: { gateway: string; committed: number }[];
  context: () => string;
}): Promise<Settled> {
  const started = Date.now();
  const deadline = started + o.timeoutMs;
  const quietMs = o.quietMs ?? 1000;
  let last: { agent: AgentLedger; store: StoreLedger } | undefined;
  let lastError: unknown;
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    try {
      const agent = await agentLedger(o.agentUrl);
      const store = storeLedger(o.dbPath, o.gateway, agent.committed);
      if (last?.store.stored !== store.stored || last.agent.committed !== agent.committed) {
        stableSince = Date.now();
      }
      last = { agent, store };
      const dropped = Object.values(agent.dropped).reduce((a, b) => a + b, 0);
      const othersStored = (o.others ?? []).every(
        (g) => storeLedger(o.dbPath, g.gateway, g.committed).stored >= g.committed,
      );
      const complete =
        othersStored && agent.backlog === 0 && store.stored - store.beyond + dropped >= agent.committed;
      if (complete && Date.now() - stableSince >= quietMs) {
        return { ...last, complete: true, waitedMs: Date.now() - started };
      }
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!last) {
    throw new Error(
      `no count within ${o.timeoutMs} ms: ${(lastError as Error | undefined)?.message}\n${o.context()}`,
    );
  }
  return { ...last, complete: false, waitedMs: Date.now() - started };
}
