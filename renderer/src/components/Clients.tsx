import { useCallback, useEffect, useRef, useState } from 'react';
import type { AuthorizedClient } from '../../../src/control/contract.ts';
import { useApp, useControlEvents } from '../context.ts';
import { fmtRelative, fmtTime, scopeLabel } from '../format.ts';
import { ListState } from './ListState.tsx';

export function Clients() {
  const { api } = useApp();
  const [clients, setClients] = useState<AuthorizedClient[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const debounce = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = useCallback(async () => {
    try {
      setClients(await api.clients());
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [api]);

  useEffect(() => {
    void load();
    return () => clearTimeout(debounce.current);
  }, [load]);

  useControlEvents((ev) => {
    if (ev.type === 'hello' || ev.type === 'client.changed' || ev.type === 'client.revoked') void load();
    else if (ev.type === 'audit' && ev.row.clientId && ev.row.kind === 'tool') {
      // Calls and "last used" change with every tool call: refresh, at most once a second.
      clearTimeout(debounce.current);
      debounce.current = setTimeout(() => void load(), 1000);
    }
  });

  const revoke = async (id: string) => {
    setBusy(id);
    try {
      await api.revokeClient(id);
      setConfirming(null);
      setClients((cur) => cur?.filter((c) => c.id !== id) ?? cur);
      void load();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="card wide" aria-labelledby="clients-title">
      <div className="card-head">
        <h2 id="clients-title">Authorized clients</h2>
        <span className="muted">{clients ? `${clients.length} client(s)` : ''}</span>
      </div>
      <ListState
        error={error}
        items={clients}
        emptyTestId="clients-empty"
        empty={
          <>
            <p>No AI client has access.</p>
            <p className="muted">When a client connects, you will be asked to approve it; approved clients are listed here and can be revoked at any time.</p>
          </>
        }
      >
        {(clients) => (
          <div className="table-wrap">
            <table data-testid="clients-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Access</th>
                  <th scope="col">Accounts</th>
                  <th scope="col">Before trades</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col" className="num">
                    Calls
                  </th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {clients.map((c) => (
                  <tr key={c.id} data-testid="client-row" data-client-id={c.id}>
                    <td className="name-cell">
                      <strong>
                        <bdi dir="auto" className="client-name" data-testid="client-name">
                          {c.name}
                        </bdi>
                      </strong>
                      {c.verifiedHost && (
                        <span className="badge verified" title="Client metadata document fetched from this host over https">
                          verified: {c.verifiedHost}
                        </span>
                      )}
                      <div className="muted mono small client-name">{c.id}</div>
                    </td>
                    <td>
                      <span className={`pill ${c.scope.includes('trade') ? 'warn' : ''}`}>{scopeLabel(c.scope)}</span>
                    </td>
                    <td>{c.accounts.join(', ')}</td>
                    <td>
                      {c.scope.includes('trade') ? (
                        c.confirmPolicy === 'always' ? (
                          'Asks you'
                        ) : (
                          <span className="pill danger">Doesn’t ask</span>
                        )
                      ) : (
                        <span className="muted">n/a</span>
                      )}
                      {c.scope.includes('trade') && (
                        <div className="muted small">
                          ≤{c.limits.maxOrderQuantity}/order · ≤{c.limits.maxPositionPerInstrument}/instr. · ≤{c.limits.maxOrdersPerMinute}/min
                        </div>
                      )}
                    </td>
                    <td title={fmtTime(c.createdAt)}>{fmtTime(c.createdAt)}</td>
                    <td title={fmtTime(c.lastUsedAt)}>{fmtRelative(c.lastUsedAt)}</td>
                    <td className="num">{c.callCount}</td>
                    <td className="actions">
                      {confirming === c.id ? (
                        <span className="confirm-row" role="group" aria-label={`Confirm revoking ${c.name}`}>
                          <span className="small">Revoke now?</span>
                          <button type="button" className="btn small" onClick={() => setConfirming(null)} autoFocus data-testid="revoke-cancel">
                            Cancel
                          </button>
                          <button type="button" className="btn danger small" disabled={busy === c.id} onClick={() => void revoke(c.id)} data-testid="revoke-confirm">
                            Revoke
                          </button>
                        </span>
                      ) : (
                        <button type="button" className="btn small" onClick={() => setConfirming(c.id)} data-testid="revoke">
                          Revoke…
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </ListState>
    </section>
  );
}
