export const TELEMETRY_STREAM = "TIDEGATE_TELEMETRY";
export const TELEMETRY_SUBJECTS = "tidegate.telemetry.>";
export const COLLECTOR_DURABLE = "tidegate-collector";

export const subjects = {
  telemetry: (gateway: string) => `tidegate.telemetry.${gateway}`,
  status: (gateway: string) => `tidegate.status.${gateway}`,
  statusAll: "tidegate.status.*",
  alerts: (gateway: string) => `tidegate.alerts.${gateway}`,
  command: (gateway: string, verb: string) => `tidegate.cmd.${gateway}.${verb}`,
  /** What a gateway subscribes to (and may be permitted to): its own commands only. */
  commands: (gateway: string) => `tidegate.cmd.${gateway}.>`,
} as const;

/**
 * JetStream drops a repeat of the same id inside its duplicate window; the range makes retries
 * idempotent. The epoch suffix keeps a reinstalled gateway's seqs 1.. from being taken for
 * repeats of its previous buffer's.
 */
export function batchMsgId(gateway: string, firstSeq: number, lastSeq: number, epoch = 0): string {
  return epoch > 0 ? `${gateway}:${firstSeq}-${lastSeq}@${epoch}` : `${gateway}:${firstSeq}-${lastSeq}`;
}
