import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';

interface Loaded<T> {
  data?: T;
  error?: unknown;
  loading: boolean;
}

/**
 * Data loaded from the API when the component mounts and whenever `key`
 * changes, with its error and a way to load it again. An answer that arrives
 * after a newer request was made is dropped.
 */
export function useLoad<T>(load: () => Promise<T>, key: unknown = '') {
  const [state, setState] = useState<Loaded<T>>({ loading: true });
  const loader = useRef(load);
  const latest = useRef(0);
  useLayoutEffect(() => {
    loader.current = load;
  });

  const fetchNow = useCallback((): Promise<void> => {
    const call = ++latest.current;
    return loader.current().then(
      (data) => {
        if (call === latest.current) setState({ data, loading: false });
      },
      (error: unknown) => {
        if (call === latest.current) setState((previous) => ({ ...previous, error, loading: false }));
      },
    );
  }, []);

  useEffect(() => {
    void fetchNow();
  }, [fetchNow, key]);

  const reload = useCallback(() => {
    setState((previous) => ({ ...previous, loading: true }));
    return fetchNow();
  }, [fetchNow]);

  const setData = useCallback((update: (data: T | undefined) => T | undefined) => {
    setState((previous) => ({ ...previous, data: update(previous.data) }));
  }, []);

  return { ...state, reload, setData };
}

/** A user action that calls the API: pending while it runs, its error kept to show. */
export function useAction() {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = useCallback(async <T>(action: () => Promise<T>): Promise<T | undefined> => {
    setPending(true);
    setError(undefined);
    try {
      return await action();
    } catch (failure) {
      setError(failure);
      return undefined;
    } finally {
      setPending(false);
    }
  }, []);
  return { run, pending, error, setError };
}

/** The current time (corrected by the server's skew), ticking every second. */
export function useNow(skew: number): number {
  const [tick, setTick] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setTick(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  return tick + skew;
}
