// The states every list view shares: an error line, "Loading…" before the first answer, an empty
// state, or the list itself (rendered only once there are items).
import type { ReactNode } from 'react';

export function ListState<T>(props: { error: string | null; items: readonly T[] | null; emptyTestId: string; empty: ReactNode; children: (items: readonly T[]) => ReactNode }) {
  return (
    <>
      {props.error && (
        <p className="error-text" role="alert">
          {props.error}
        </p>
      )}
      {props.items === null ? (
        <p className="muted">Loading…</p>
      ) : props.items.length === 0 ? (
        <div className="empty" data-testid={props.emptyTestId}>
          {props.empty}
        </div>
      ) : (
        props.children(props.items)
      )}
    </>
  );
}
