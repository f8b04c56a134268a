import { ApiError, getJson } from "../api.js";
import { writeHeaders } from "../auth/session.js";
import type { SeriesAnswerLike } from "../chart/data.js";
import { t } from "../i18n.js";

/** The agent's routes for trends and the technician page (agent/src/http/local-routes.ts). */

export type TrendRange = "1h" | "24h";
export type HistoryAnswer = SeriesAnswerLike & { device: string; point: string; range: TrendRange };

export interface ProbeOptions {
  devices: { id: string; profile: string; line: string; unitId: number }[];
  profiles: string[];
}
export type ProbeRequest =
  | { device: string; unitId?: number }
  | { host: string; port: number; unitId: number; profile: string };
export interface ProbedPoint {
  id: string;
  name: string;
  unit?: string;
  value: string;
  words: string;
  orders?: { order: string; value: string; current: boolean; line: string }[];
}
export interface ProbeAnswer {
  profile: string;
  unitId: number;
  at: string;
  points: ProbedPoint[];
  failures: { block: string; reason: string; points: string[] }[];
}

/** The server's own words when it has some, else the status. */
async function errorOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => ({}))) as { error?: unknown };
  return new ApiError(typeof body.error === "string" ? body.error : t.httpError(res.status));
}

export const localApi = {
  /** Null when the agent keeps no history of the point (yet): the chart then says it is empty. */
  history: async (device: string, point: string, range: TrendRange, signal?: AbortSignal) => {
    const res = await fetch(`api/v1/history?${new URLSearchParams({ device, point, range })}`, {
      signal,
      headers: { accept: "application/json" },
    });
    if (res.status === 404) return null;
    if (!res.ok) throw await errorOf(res);
    const answer = (await res.json()) as HistoryAnswer;
    if (!Array.isArray(answer.ts) || !Array.isArray(answer.series)) throw new ApiError(t.badResponse);
    return answer;
  },
  probeOptions: (signal?: AbortSignal) => getJson<ProbeOptions>("api/v1/probe", signal),
  probe: async (req: ProbeRequest): Promise<ProbeAnswer> => {
    const res = await fetch("api/v1/probe", {
      method: "POST",
      headers: writeHeaders(),
      body: JSON.stringify(req),
    });
    if (!res.ok) throw await errorOf(res);
    return (await res.json()) as ProbeAnswer;
  },
  config: (signal?: AbortSignal) => getJson<{ config: unknown }>("api/v1/config", signal),
};
