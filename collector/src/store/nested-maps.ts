/**
 * Maps keyed by the strings a batch already holds (gateway, device, point) instead of one key
 * string built per reading: under a fleet that is a string per reading, several times over.
 */
export type ByTwo<T> = Map<string, Map<string, T>>;
export type ByThree<T> = Map<string, ByTwo<T>>;

function inner<T>(map: Map<string, Map<string, T>>, key: string): Map<string, T> {
  let found = map.get(key);
  if (!found) {
    found = new Map<string, T>();
    map.set(key, found);
  }
  return found;
}

/** The value under `a`, `b`, made by `make` when there is none. */
export function entry<T>(map: ByTwo<T>, a: string, b: string, make: () => T): T {
  const of = inner(map, a);
  let value = of.get(b);
  if (value === undefined) {
    value = make();
    of.set(b, value);
  }
  return value;
}

/** The value under `a`, `b`, `c`, made by `make` when there is none. */
export function entry3<T>(map: ByThree<T>, a: string, b: string, c: string, make: () => T): T {
  return entry(inner(map, a), b, c, make);
}
