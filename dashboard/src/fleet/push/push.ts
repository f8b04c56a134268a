import type { DevicePushAnswer, DevicePushRequest } from "@tidegate/protocol";
import { t } from "../../i18n.js";
import { CommandFailed, postJson } from "../commands.js";

export interface TargetGateway {
  id: string;
  online: boolean;
}

/** The gateways a device may be pushed to: every other one whose id contains the filter. */
export function pushTargets(
  gateways: readonly TargetGateway[],
  source: string,
  filter: string,
): TargetGateway[] {
  const f = filter.trim().toLowerCase();
  return gateways.filter((g) => g.id !== source && (f === "" || g.id.includes(f)));
}

/** The devices a gateway has, from its point list, each once, in order. */
export const devicesOf = (points: readonly { device: string }[]) => [...new Set(points.map((p) => p.device))];

/** POST /api/v1/devices/push; a failure (the source could not give the device) throws its words. */
export async function sendPush(
  req: DevicePushRequest,
  fetchFn: typeof fetch = fetch,
): Promise<DevicePushAnswer> {
  const body = (await postJson("api/v1/devices/push", req, fetchFn)) as DevicePushAnswer;
  if (!Array.isArray(body.results)) throw new CommandFailed(t.badResponse, 200);
  return body;
}
