import { useState } from 'react';
import type { ActivityRow, LinkState } from '../../../src/control/contract.ts';
import { useApp, useControlEvents, useLoad } from '../context.ts';
import { fmtTime } from '../format.ts';
import { linkLabel } from './Overview.tsx';
import { ListState } from './ListState.tsx';

export interface LinkChange {
  at: string;
  link: LinkState;
}

/** Rows the live list keeps; "Load older" pages from the server past them. */
const LIVE_CAP = 500;

export function Activity({ linkHistory }: { linkHistory: LinkChange[] }) {
  const { api } = useApp();
  const [rows, setRows] = useState<ActivityRow[] | null>(null);
  const [nextBefore, setNextBefore] = useState<number | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);

  const { error, setError, load } = useLoad(
    () => api.activity({ limit: 100 }),
    (p) => {
      setRows(p.rows);
      setNextBefore(p.nextBefore);
    },
  );

  useControlEvents((ev) => {
    if (ev.type === 'hello') void load();
    else if (ev.type === 'activity') {
      // Live rows go on top; the list keeps at most LIVE_CAP (an add-on flood sends thousands a
      // second, and a page of every row would slow the browser): older rows are one click away.
      setRows((cur) => {
        if (cur === null || cur.some((r) => r.id === ev.row.id)) return cur;
        const next = [ev.row, ...cur];
        if (next.length <= LIVE_CAP) return next;
        setNextBefore(next[LIVE_CAP - 1]!.id);
        return next.slice(0, LIVE_CAP);
      });
    }
  });

  const older = async () => {
    if (nextBefore === null) return;
    setLoadingOlder(true);
    try {
      const p = await api.activity({ limit: 100, before: nextBefore });
      setRows((cur) => [...(cur ?? []), ...p.rows]);
      setNextBefore(p.nextBefore);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoadingOlder(false);
    }
  };

  return (
    <div className="activity">
      <section className="card" aria-labelledby="linkhist-title">
        <h2 id="linkhist-title">NinjaTrader link</h2>
        {linkHistory.length === 0 ? (
          <p className="muted">No link changes seen yet.</p>
        ) : (
          <ol className="timeline" data-testid="link-history">
            {[...linkHistory].reverse().map((h, i) => (
              <li key={`${h.at}-${i}`}>
                <span className={`dot ${h.link.status}`} aria-hidden="true" /> <strong>{linkLabel(h.link)}</strong>
                {h.link.simulated && <span className="badge sim">SIM</span>} <span className="muted small">{fmtTime(h.at)}</span>
                <div className="small">{h.link.detail}</div>
              </li>
            ))}
          </ol>
        )}
        <p className="hint">Link changes seen while this window is open.</p>
      </section>
      <section className="card wide" aria-labelledby="activity-title">
        <h2 id="activity-title">Add-on activity</h2>
        <ListState
          error={error}
          items={rows}
          emptyTestId="activity-empty"
          empty={
            <>
              <p>No add-on activity yet.</p>
              <p className="muted">Connections, orders, executions and refusals reported by the NinjaTrader side appear here live.</p>
            </>
          }
        >
          {(rows) => (
            <div className="table-wrap">
              <table data-testid="activity-table">
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Message</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.id} data-testid="activity-row">
                      <td className="nowrap">{fmtTime(r.ts)}</td>
                      <td>
                        <span className={`pill ${r.kind === 'error' || r.kind === 'refused' ? 'danger' : r.kind === 'disconnect' || r.kind === 'skipped' || r.kind === 'unknown_value' ? 'warn' : ''}`}>{r.kind}</span>
                      </td>
                      <td>{r.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </ListState>
        {nextBefore !== null && (
          <div className="more">
            <button type="button" className="btn small" onClick={() => void older()} disabled={loadingOlder} data-testid="activity-load-older">
              Load older
            </button>
          </div>
        )}
      </section>
    </div>
  );
}
