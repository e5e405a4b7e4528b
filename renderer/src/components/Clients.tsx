import { useEffect, useRef, useState } from 'react';
import { Fragment } from 'react';
import type { AuthorizedClient, ConfirmPolicy, EditGrantBody, GrantLimits, ScopeString } from '../../../src/control/contract.ts';
import { useApp, useControlEvents, useLoad } from '../context.ts';
import { fmtRelative, fmtTime, scopeLabel, SCOPE_WORDS } from '../format.ts';
import { ListState } from './ListState.tsx';
import './trading.css';

export function Clients() {
  const { api } = useApp();
  const [clients, setClients] = useState<AuthorizedClient[] | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const debounce = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const { error, setError, load } = useLoad(() => api.clients(), setClients);
  useEffect(() => () => clearTimeout(debounce.current), []);

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
                  <Fragment key={c.id}>
                  <tr data-testid="client-row" data-client-id={c.id}>
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
                        <span className="confirm-row">
                          <button type="button" className="btn small" onClick={() => setEditing(editing === c.id ? null : c.id)} aria-expanded={editing === c.id} data-testid="edit-grant">
                            Edit…
                          </button>
                          <button type="button" className="btn small" onClick={() => setConfirming(c.id)} data-testid="revoke">
                            Revoke…
                          </button>
                        </span>
                      )}
                    </td>
                  </tr>
                  {editing === c.id && (
                    <tr className="grant-edit-row">
                      <td colSpan={8}>
                        <GrantEditor
                          client={c}
                          onDone={(updated) => {
                            setEditing(null);
                            if (updated) setClients((cur) => cur?.map((x) => (x.id === updated.id ? updated : x)) ?? cur);
                          }}
                        />
                      </td>
                    </tr>
                  )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </ListState>
    </section>
  );
}

/**
 * Edit a client's access in place (issue 11): scope, accounts, confirmation policy and limits. It
 * takes effect on the client's next call. Allowing trading to a read-only client is the person's own
 * act: said here, and audited as such by the core.
 */
function GrantEditor({ client, onDone }: { client: AuthorizedClient; onDone: (updated: AuthorizedClient | null) => void }) {
  const { api, status } = useApp();
  const [scope, setScope] = useState<ScopeString>(client.scope);
  const [accounts, setAccounts] = useState<string[]>(client.accounts);
  const [policy, setPolicy] = useState<ConfirmPolicy>(client.confirmPolicy);
  const [limits, setLimits] = useState<Record<keyof GrantLimits, string>>({
    maxOrderQuantity: String(client.limits.maxOrderQuantity),
    maxPositionPerInstrument: String(client.limits.maxPositionPerInstrument),
    maxOrdersPerMinute: String(client.limits.maxOrdersPerMinute),
  });
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const available = [...new Set([...status.link.accounts, ...client.accounts])];
  const trade = scope.includes('mcp:trade');
  const widening = trade && !client.scope.includes('mcp:trade');
  const LIMIT_WORDS: Record<keyof GrantLimits, [string, number]> = {
    maxOrderQuantity: ['Contracts per order', 10_000],
    maxPositionPerInstrument: ['Net position per instrument', 100_000],
    maxOrdersPerMinute: ['Orders per minute', 1_000],
  };
  const parsed = Object.fromEntries(Object.entries(limits).map(([k, v]) => [k, /^\d+$/.test(v.trim()) ? Number(v) : NaN])) as unknown as GrantLimits;
  const bad = (Object.keys(LIMIT_WORDS) as (keyof GrantLimits)[]).filter((k) => !(parsed[k] >= 1 && parsed[k] <= LIMIT_WORDS[k][1]));
  const save = async () => {
    if (accounts.length === 0 || bad.length) return;
    setSaving(true);
    setError(null);
    const body: EditGrantBody = { scope, accounts, limits: parsed, ...(trade ? { confirmPolicy: policy } : {}) };
    try {
      onDone(await api.editGrant(client.id, body));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSaving(false);
    }
  };
  const toggle = (a: string) => setAccounts((cur) => (cur.includes(a) ? cur.filter((x) => x !== a) : available.filter((x) => x === a || cur.includes(x))));
  return (
    <form
      className="grant-editor"
      data-testid="grant-editor"
      aria-label={`Edit the access of ${client.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <fieldset>
        <legend>Access</legend>
        <label>
          <input type="radio" name={`scope-${client.id}`} checked={!trade} onChange={() => setScope('mcp:read')} data-testid="edit-scope-read" /> Read only
        </label>
        <label>
          <input type="radio" name={`scope-${client.id}`} checked={trade} onChange={() => setScope('mcp:read mcp:trade')} data-testid="edit-scope-trade" /> Read + trade
        </label>
        {widening && (
          <p className="warn-text" data-testid="edit-widen-warning">
            You are allowing this client to {SCOPE_WORDS.trade.toLowerCase()}. It did not ask for it here: this is your own decision, and the audit log records it as such.
          </p>
        )}
      </fieldset>
      <fieldset>
        <legend>Accounts</legend>
        {available.map((a) => (
          <label key={a}>
            <input type="checkbox" checked={accounts.includes(a)} onChange={() => toggle(a)} data-testid={`edit-account-${a}`} /> {a}
          </label>
        ))}
        {accounts.length === 0 && <p className="hint">Choose at least one account (or revoke the client).</p>}
      </fieldset>
      {trade && (
        <fieldset>
          <legend>Before each trade</legend>
          <label>
            <input type="radio" name={`policy-${client.id}`} checked={policy === 'always'} onChange={() => setPolicy('always')} data-testid="edit-policy-always" /> Ask me
          </label>
          <label>
            <input type="radio" name={`policy-${client.id}`} checked={policy === 'never'} onChange={() => setPolicy('never')} data-testid="edit-policy-never" /> Don’t ask
          </label>
          {policy === 'never' && (
            <p className="warn-text">
              {status.link.simulated ? 'The client will place orders without asking you.' : 'Warning: the client will trade REAL accounts without asking you.'}
            </p>
          )}
        </fieldset>
      )}
      <fieldset>
        <legend>Limits</legend>
        {(Object.keys(LIMIT_WORDS) as (keyof GrantLimits)[]).map((k) => (
          <label key={k} className="limit">
            {LIMIT_WORDS[k][0]}{' '}
            <input
              type="number"
              min={1}
              max={LIMIT_WORDS[k][1]}
              step={1}
              value={limits[k]}
              aria-invalid={bad.includes(k)}
              onChange={(e) => setLimits((l) => ({ ...l, [k]: e.target.value }))}
              data-testid={`edit-limit-${k}`}
            />
          </label>
        ))}
        {bad.length > 0 && <p className="hint">Each limit is a whole number from 1 up.</p>}
      </fieldset>
      {error && (
        <p className="error-text" role="alert" data-testid="edit-error">
          {error}
        </p>
      )}
      <div className="confirm-row">
        <span className="small muted">Takes effect on the client's next call.</span>
        <button type="button" className="btn small" onClick={() => onDone(null)} data-testid="edit-cancel">
          Cancel
        </button>
        <button type="submit" className={`btn small ${widening ? 'danger' : 'primary'}`} disabled={saving || accounts.length === 0 || bad.length > 0} data-testid="edit-save">
          {widening ? 'Allow trading and save' : 'Save'}
        </button>
      </div>
    </form>
  );
}
