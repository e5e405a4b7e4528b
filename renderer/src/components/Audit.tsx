import { useCallback, useEffect, useMemo, useState } from 'react';
import { AUDIT_OUTCOMES, type AuditOutcome, type AuditRow, type AuthorizedClient } from '../../../src/control/contract.ts';
import type { AuditQuery } from '../../../src/control/contract.ts';
import { useApp, useControlEvents } from '../context.ts';
import { auditCsv, csvFileName, download } from '../csv.ts';
import { fmtTime } from '../format.ts';
import { ListState } from './ListState.tsx';

const KNOWN_TOOLS = [
  'get_status', 'list_accounts', 'get_account_summary', 'list_positions', 'list_orders', 'get_order', 'list_executions', 'get_quote', 'get_bars',
  'get_watermarks', 'get_journal', 'get_activity_log', 'place_order', 'modify_order', 'cancel_order', 'cancel_all_orders', 'flatten_position',
  'flatten_everything', 'reverse_position',
];
const PAGE = 100;
/** Pill colour per outcome; a value not in the taxonomy (a future one) shows as a plain pill. */
const OUTCOME_PILL: Record<AuditOutcome, string> = { ok: 'ok', refused: 'warn', denied: 'warn', cancelled: '', error: 'danger', unknown: 'danger' };
const outcomeMeaning = (o: string): string => (AUDIT_OUTCOMES as Record<string, string>)[o] ?? '';
const EXPORT_CAP = 50_000;

interface Filters {
  client: string;
  tool: string;
  outcome: '' | AuditOutcome;
}

function matches(r: AuditRow, f: Filters): boolean {
  return (!f.client || r.clientId === f.client) && (!f.tool || r.tool === f.tool) && (!f.outcome || r.outcome === f.outcome);
}

export function Audit() {
  const { api } = useApp();
  const [filters, setFilters] = useState<Filters>({ client: '', tool: '', outcome: '' });
  const [rows, setRows] = useState<AuditRow[] | null>(null);
  const [nextBefore, setNextBefore] = useState<number | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [clients, setClients] = useState<AuthorizedClient[]>([]);
  const [exporting, setExporting] = useState<number | null>(null);
  const [exportNote, setExportNote] = useState<string | null>(null);

  const q = useMemo<AuditQuery>(
    () => ({ client: filters.client || undefined, tool: filters.tool || undefined, outcome: filters.outcome || undefined }),
    [filters],
  );

  const loadFirst = useCallback(async () => {
    try {
      const p = await api.audit({ ...q, limit: PAGE });
      setRows(p.rows);
      setNextBefore(p.nextBefore);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [api, q]);

  useEffect(() => {
    setRows(null);
    void loadFirst();
  }, [loadFirst]);

  const loadClients = useCallback(() => {
    api.clients().then(setClients, () => {});
  }, [api]);
  useEffect(loadClients, [loadClients]);

  useControlEvents((ev) => {
    if (ev.type === 'hello') {
      void loadFirst();
      loadClients();
    } else if (ev.type === 'client.changed') loadClients();
    else if (ev.type === 'audit' && matches(ev.row, filters)) {
      setRows((cur) => (cur === null || cur.some((r) => r.id === ev.row.id) ? cur : [ev.row, ...cur]));
    }
  });

  const older = async () => {
    if (nextBefore === null) return;
    setLoadingOlder(true);
    try {
      const p = await api.audit({ ...q, limit: PAGE, before: nextBefore });
      setRows((cur) => {
        const seen = new Set((cur ?? []).map((r) => r.id));
        return [...(cur ?? []), ...p.rows.filter((r) => !seen.has(r.id))];
      });
      setNextBefore(p.nextBefore);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoadingOlder(false);
    }
  };

  const exportCsv = async () => {
    setExporting(0);
    setExportNote(null);
    try {
      const all: AuditRow[] = [];
      let before: number | undefined;
      for (;;) {
        const p = await api.audit({ ...q, limit: 1000, before });
        all.push(...p.rows);
        setExporting(all.length);
        if (p.nextBefore === null || all.length >= EXPORT_CAP) break;
        before = p.nextBefore;
      }
      const rowsOut = all.slice(0, EXPORT_CAP);
      download(auditCsv(rowsOut), csvFileName());
      setExportNote(`Exported ${rowsOut.length} row(s)${all.length >= EXPORT_CAP ? ` (capped at ${EXPORT_CAP.toLocaleString()}; narrow the filters for older rows)` : ''}.`);
    } catch (e) {
      setExportNote(`Export failed: ${(e as Error).message}`);
    } finally {
      setExporting(null);
    }
  };

  const clientOptions = useMemo(() => {
    const m = new Map<string, string>();
    for (const c of clients) m.set(c.id, c.name);
    for (const r of rows ?? []) if (r.clientId && !m.has(r.clientId)) m.set(r.clientId, r.clientName ?? r.clientId);
    return [...m.entries()];
  }, [clients, rows]);
  const toolOptions = useMemo(() => [...new Set([...KNOWN_TOOLS, ...(rows ?? []).map((r) => r.tool).filter((t): t is string => !!t)])].sort(), [rows]);
  const filtered = filters.client || filters.tool || filters.outcome;

  return (
    <section className="card wide" aria-labelledby="audit-title">
      <div className="card-head">
        <h2 id="audit-title">Audit log</h2>
        <div className="toolbar" role="group" aria-label="Filters">
          <label>
            Client{' '}
            <select value={filters.client} onChange={(e) => setFilters({ ...filters, client: e.target.value })} data-testid="audit-filter-client">
              <option value="">All</option>
              {clientOptions.map(([id, name]) => (
                <option key={id} value={id}>
                  {name} ({id.slice(0, 10)})
                </option>
              ))}
            </select>
          </label>
          <label>
            Tool{' '}
            <select value={filters.tool} onChange={(e) => setFilters({ ...filters, tool: e.target.value })} data-testid="audit-filter-tool">
              <option value="">All</option>
              {toolOptions.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          <label>
            Outcome{' '}
            <select value={filters.outcome} onChange={(e) => setFilters({ ...filters, outcome: e.target.value as Filters['outcome'] })} data-testid="audit-filter-outcome">
              <option value="">All</option>
              {(Object.keys(AUDIT_OUTCOMES) as AuditOutcome[]).map((o) => (
                <option key={o} value={o} title={AUDIT_OUTCOMES[o]}>
                  {o}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="btn small" onClick={() => void exportCsv()} disabled={exporting !== null} data-testid="audit-export">
            {exporting !== null ? `Exporting… ${exporting}` : 'Export CSV'}
          </button>
        </div>
      </div>
      {exportNote && (
        <p className="hint" role="status" data-testid="audit-export-note">
          {exportNote}
        </p>
      )}
      <ListState
        error={error}
        items={rows}
        emptyTestId="audit-empty"
        empty={
          <>
            <p>{filtered ? 'No audit entries match these filters.' : 'The audit log is empty.'}</p>
            <p className="muted">Every tool call, authorization and control action is recorded here as it happens.</p>
          </>
        }
      >
        {(rows) => (
          <div className="table-wrap">
            <table className="audit" data-testid="audit-table">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Client</th>
                  <th scope="col">Event</th>
                  <th scope="col">Tool</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Detail</th>
                  <th scope="col" className="num">
                    ms
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.id} data-testid="audit-row" data-audit-id={r.id} data-tool={r.tool ?? ''} data-outcome={r.outcome}>
                    <td className="nowrap" title={r.ts}>
                      {fmtTime(r.ts)}
                    </td>
                    <td className="name-cell">
                      {r.clientName !== null ? (
                        <bdi dir="auto" className="client-name">
                          {r.clientName}
                        </bdi>
                      ) : r.clientId ? (
                        <code className="client-name">{r.clientId}</code>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td>
                      <span className="muted small">{r.kind}</span> {r.event}
                    </td>
                    <td>{r.tool ? <code>{r.tool}</code> : <span className="muted">—</span>}</td>
                    <td>
                      <span className={`pill ${(OUTCOME_PILL as Record<string, string>)[r.outcome] ?? ''}`} title={outcomeMeaning(r.outcome)}>
                        {r.outcome}
                      </span>
                    </td>
                    <td className="detail">
                      {r.detail && (
                        <div className="clamp" title={r.detail}>
                          {r.detail}
                        </div>
                      )}
                      {r.args && (
                        <code className="args" title={r.args}>
                          {r.args.length > 120 ? `${r.args.slice(0, 120)}…` : r.args}
                        </code>
                      )}
                    </td>
                    <td className="num">{r.latencyMs ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </ListState>
      {rows !== null && rows.length > 0 && (
        <div className="more">
          {nextBefore !== null ? (
            <button type="button" className="btn small" onClick={() => void older()} disabled={loadingOlder} data-testid="audit-load-older">
              {loadingOlder ? 'Loading…' : 'Load older'}
            </button>
          ) : (
            <span className="muted small">Start of the log.</span>
          )}
        </div>
      )}
    </section>
  );
}
