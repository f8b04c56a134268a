import { useCallback, useEffect, useState } from "preact/hooks";

/** Loads `fetcher` now and whenever `reload()` is called; keeps the last data while reloading. */
export function useAdminData<T>(fetcher: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const reload = useCallback(() => {
    fetcher()
      .then((d) => {
        setData(d);
        setError(undefined);
      })
      .catch((err: Error) => setError(err.message));
  }, deps);
  useEffect(reload, [reload]);
  return { data, error, reload, setError };
}

/** Runs an admin action, then reloads; a refusal shows the server's message. */
export const act =
  (setError: (e: string | undefined) => void, reload: () => void) =>
  async (action: () => Promise<unknown>) => {
    try {
      await action();
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
    reload();
  };
