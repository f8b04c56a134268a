import { type AnyProfile, loadProfiles } from "@tidegate/profiles";

/** How long every profile stays parsed after the last commissioning call that needed them. */
export const LIBRARY_KEEP_MS = 60_000;

/**
 * Every profile a config can name, for what picks among them (commissioning scan, preview, CSV
 * import, probe, device push). A running agent keeps parsed only the profiles its devices use: the
 * bundled library parsed is ~3.5 MB of heap (decision 54). The folders are read again on demand and
 * kept for a minute after the last call, so a commissioning session reads them once.
 */
export function createProfileLibrary(
  dirs: readonly string[],
  /** The config's own profiles (the used ones, those made from `nodes:`, the ones learned since), which win by id. */
  own: ReadonlyMap<string, AnyProfile>,
  options: { keepMs?: number; load?: (dirs: readonly string[]) => Map<string, AnyProfile> } = {},
) {
  const load = options.load ?? loadProfiles;
  let parsed: Map<string, AnyProfile> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const drop = () => {
    parsed = undefined;
    timer = undefined;
  };
  return {
    all(): Map<string, AnyProfile> {
      parsed ??= load(dirs);
      clearTimeout(timer);
      timer = setTimeout(drop, options.keepMs ?? LIBRARY_KEEP_MS).unref();
      return new Map([...parsed, ...own]);
    },
    /** After a profile file was saved or removed: the next call reads the folders again. */
    invalidate() {
      clearTimeout(timer);
      drop();
    },
  };
}
export type ProfileLibrary = ReturnType<typeof createProfileLibrary>;
