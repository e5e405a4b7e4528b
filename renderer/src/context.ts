import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { ControlEvent, Status } from '../../src/control/contract.ts';
import type { ControlApi } from './api.ts';

export interface AppContextValue {
  api: ControlApi;
  status: Status;
  subscribe(fn: (ev: ControlEvent) => void): () => void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const v = useContext(AppContext);
  if (!v) throw new Error('useApp outside AppContext');
  return v;
}

/** Runs `fn` for every control event (including each `hello` after a reconnect). */
export function useControlEvents(fn: (ev: ControlEvent) => void): void {
  const { subscribe } = useApp();
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => subscribe((ev) => ref.current(ev)), [subscribe]);
}

/**
 * How every dashboard view loads its data: `fetch` runs on mount and whenever `load` is called (the
 * views call it on `hello` and on the events that concern them); `apply` takes the result; the last
 * failure is kept as a sentence (null after a success). fetch/apply may be inline functions.
 */
export function useLoad<T>(fetch: () => Promise<T>, apply: (value: T) => void): {
  error: string | null;
  setError: (error: string | null) => void;
  load: () => Promise<void>;
} {
  const [error, setError] = useState<string | null>(null);
  const f = useRef(fetch);
  f.current = fetch;
  const a = useRef(apply);
  a.current = apply;
  const load = useCallback(async () => {
    try {
      a.current(await f.current());
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  return { error, setError, load };
}
