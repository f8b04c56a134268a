import { type AnyProfile, findBundledProfilesDir, loadProfiles } from "@tidegate/profiles";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createProfileLibrary } from "./profile-library.js";

const dirs = [findBundledProfilesDir()];

function counted() {
  const calls: (readonly string[])[] = [];
  return {
    calls,
    load: (d: readonly string[]) => {
      calls.push(d);
      return loadProfiles(d);
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("profile library", () => {
  it("reads the folders on the first call and again only once it was left unused for the keep time", () => {
    vi.useFakeTimers();
    const loader = counted();
    const library = createProfileLibrary(dirs, new Map(), { keepMs: 1000, load: loader.load });
    expect(loader.calls).toHaveLength(0);
    expect(library.all().has("eastron/sdm120")).toBe(true);
    vi.advanceTimersByTime(900);
    library.all(); // a use within the window keeps it another full window
    vi.advanceTimersByTime(900);
    library.all();
    expect(loader.calls).toHaveLength(1);
    vi.advanceTimersByTime(1001);
    library.all();
    expect(loader.calls).toEqual([dirs, dirs]);
  });

  it("answers the config's own profiles over the folders', as they are now", () => {
    const own = new Map<string, AnyProfile>();
    const library = createProfileLibrary(dirs, own, { keepMs: 1000 });
    const bundled = library.all().get("eastron/sdm120") as AnyProfile;
    const mine = { ...bundled, model: "mine" } as AnyProfile;
    own.set("eastron/sdm120", mine);
    own.set("local/x", mine);
    const all = library.all();
    expect(all.get("eastron/sdm120")).toBe(mine);
    expect(all.get("local/x")).toBe(mine);
    own.delete("local/x");
    expect(library.all().has("local/x")).toBe(false);
  });

  it("reads the folders again after invalidate (a profile file saved or removed)", () => {
    const loader = counted();
    const library = createProfileLibrary(dirs, new Map(), { keepMs: 60_000, load: loader.load });
    library.all();
    library.invalidate();
    library.all();
    expect(loader.calls).toHaveLength(2);
    library.invalidate();
  });
});
