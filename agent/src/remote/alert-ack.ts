import type { CommandArgs, CommandResult } from "@tidegate/protocol";

/** Who acknowledged, as the alert history shows it: the collector's user, marked as remote. */
export const remoteAckBy = (actor: string | undefined) => (actor ? `${actor}@collector` : "collector");

/**
 * `alert.ack` from the fleet: the same acknowledgement an operator makes on the gateway's own page,
 * so the "acked" event travels back up to the collector like a local one.
 */
export function alertAckHandler(acknowledge: (rule: string, device: string, by: string) => boolean) {
  return (args: CommandArgs<"alert.ack">, actor: string | undefined): CommandResult<"alert.ack"> => {
    const by = remoteAckBy(actor);
    return { acknowledged: acknowledge(args.rule, args.device, by), by };
  };
}
