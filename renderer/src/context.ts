import { createContext, useContext, useEffect, useRef } from 'react';
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
