import type { DisplayReading, PreviewAnswer, ProfileDraft } from "./commission-api.js";

/** One register row as the page edits it; the columns of `tidegate-agent profile from-csv`. */
export interface RegisterRow {
  address: string;
  name: string;
  type: string;
  order: string;
  scale: string;
  unit: string;
  access: string;
  /** Plausible range of the value (scale applied): the scan's identify weighs it, writes are held to it. */
  min: string;
  max: string;
  /** For type bool in a holding or input register: which bit (0..15) of it. */
  bit: string;
}

export const emptyRow = (): RegisterRow => ({
  address: "",
  name: "",
  type: "uint16",
  order: "ABCD",
  scale: "",
  unit: "",
  access: "read",
  min: "",
  max: "",
  bit: "",
});

export const REGISTER_TYPES = [
  "int16",
  "uint16",
  "int32",
  "uint32",
  "float32",
  "int64",
  "uint64",
  "float64",
  "bool",
];
export const BYTE_ORDERS = ["ABCD", "CDAB", "BADC", "DCBA"];

export interface ProfileMeta {
  id: string;
  vendor: string;
  model: string;
  title: string;
  url: string;
}

/** The draft the agent builds the profile from: rows left empty are left out, and so are empty cells. */
export function draftOf(meta: ProfileMeta, rows: readonly RegisterRow[], unitId?: number): ProfileDraft {
  return {
    profile: {
      id: meta.id.trim(),
      vendor: meta.vendor.trim(),
      model: meta.model.trim(),
      title: meta.title.trim(),
      url: meta.url.trim(),
      ...(unitId !== undefined ? { unitId } : {}),
    },
    table: rows
      .filter((r) => r.address.trim() !== "" || r.name.trim() !== "")
      .map((r) =>
        Object.fromEntries(
          Object.entries(r)
            .map(([k, v]) => [k, v.trim()] as const)
            .filter(([, v]) => v !== ""),
        ),
      ),
  };
}

/** What the technician read off the display, beside the registers the last read answered for each point. */
export function readingsOf(
  answer: PreviewAnswer,
  display: Readonly<Record<string, string>>,
): DisplayReading[] {
  const points = answer.cycles[0]?.points ?? [];
  return (
    points
      // A value with its registers: the builder reads Modbus devices, whose preview has them.
      .filter((p) => (display[p.id] ?? "").trim() !== "" && p.words !== undefined)
      .map((p) => ({
        point: p.id,
        raw: (p.words ?? "").split(" ").map((w) => Number.parseInt(w, 16)),
        display: (display[p.id] ?? "").trim(),
      }))
  );
}
