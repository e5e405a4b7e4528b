// Consent prompt: an AI client asks for access. Allow is never the accidental default — focus
// starts on Deny, Enter never approves, Allow is disabled until at least one account is chosen.
import { useRef, useState } from 'react';
import type { ApproveConsentBody, ConfirmPolicy, PendingConsent, ScopeString } from '../../../src/control/contract.ts';
import { scopeLabel, SCOPE_WORDS } from '../format.ts';
import { Countdown, usePrompt } from './Countdown.tsx';
import { Modal } from './Modal.tsx';

export function ConsentModal(props: {
  consent: PendingConsent;
  simulated: boolean;
  queued: number;
  /** Pending requests from this same client, this one included. */
  fromSameClient: number;
  onApprove: (body: ApproveConsentBody) => Promise<void>;
  onDeny: () => Promise<void>;
  onDenyAll: () => Promise<void>;
}) {
  const c = props.consent;
  const wantsTrade = c.requestedScope.includes('mcp:trade');
  const [scope, setScope] = useState<ScopeString>(c.requestedScope);
  const upgrade = c.upgradeOf;
  // An existing client asking for more than it holds is an upgrade; asking for the same or less, a
  // new sign-in of that client (approving either replaces its current access).
  const widening = !!upgrade && wantsTrade && !upgrade.scope.includes('mcp:trade');
  // An upgrade starts from the accounts the person chose before.
  const kept = upgrade ? c.availableAccounts.filter((a) => upgrade.accounts.includes(a)) : [];
  const [accounts, setAccounts] = useState<string[]>(kept.length ? kept : c.availableAccounts);
  const [policy, setPolicy] = useState<ConfirmPolicy>('always');
  const { busy, error, now, armed, expired, run, deny } = usePrompt(c.expiresAt, props.onDeny);
  const denyRef = useRef<HTMLButtonElement>(null);
  const trade = scope.includes('mcp:trade');
  const allow = () => {
    if (busy || expired || !armed || accounts.length === 0) return;
    void run(() =>
      props.onApprove({
        scope,
        accounts,
        ...(trade ? { confirmPolicy: policy } : {}),
      }),
    );
  };
  const toggle = (a: string) => setAccounts((cur) => (cur.includes(a) ? cur.filter((x) => x !== a) : c.availableAccounts.filter((x) => x === a || cur.includes(x))));

  return (
    <Modal titleId="consent-title" descId="consent-desc" testId="consent-modal" tone="warn" onEscape={deny} initialFocus={denyRef}>
      <header className="modal-head">
        <h2 id="consent-title">
          {!upgrade ? 'An AI client asks for access' : widening ? 'A connected client asks for an upgrade' : 'A connected client signs in again'}
        </h2>
        <Countdown expiresAt={c.expiresAt} now={now} testId="consent-countdown" />
      </header>
      <div id="consent-desc" className="modal-body">
        <p className="who">
          {/* The client's text in its own isolated element (<bdi>: its own bidi run, dir=auto), and
              every word of ours outside it, so no character of the name can reorder our label. */}
          <bdi dir="auto" className="client-name" data-testid="consent-client-name">
            {c.clientName}
          </bdi>{' '}
          {c.verifiedHost ? (
            <span className="badge verified" data-testid="consent-verified-host">
              verified: {c.verifiedHost}
            </span>
          ) : (
            <span className="muted" data-testid="consent-unverified">
              (name given by the client — not verified)
            </span>
          )}
        </p>
        {upgrade && (
          <p className="upgrade-note" data-testid="consent-upgrade">
            {widening ? 'Upgrade of an existing client' : 'An existing client'}: it holds <strong>{scopeLabel(upgrade.scope)}</strong> on {upgrade.accounts.join(', ') || 'no account'} (since{' '}
            {new Date(upgrade.grantedAt).toLocaleString()}) and now asks for <strong>{scopeLabel(c.requestedScope)}</strong>. Allowing replaces its current
            access; denying leaves it as it is.
          </p>
        )}
        <dl className="facts">
          <dt>Sends you back to</dt>
          <dd>
            {/* An app scheme is shown as the scheme ("an app registered as evil-app://"), never as a host. */}
            <bdi dir="ltr" className="client-name" data-testid="consent-redirect-host">
              {c.redirectLabel}
            </bdi>
          </dd>
          <dt>Client id</dt>
          <dd>
            <code className="client-name">{c.clientId}</code>
          </dd>
        </dl>

        <fieldset>
          <legend>It asks to</legend>
          <ul className="scope-list" data-testid="consent-scope">
            <li>{SCOPE_WORDS.read}</li>
            {wantsTrade && <li className="trade">{SCOPE_WORDS.trade}</li>}
          </ul>
          <div className="choices" role="radiogroup" aria-label="Access to grant">
            {wantsTrade ? (
              <>
                <label>
                  <input type="radio" name="scope" checked={trade} onChange={() => setScope('mcp:read mcp:trade')} data-testid="consent-scope-trade" /> Allow
                  trading, as asked
                </label>
                <label>
                  <input type="radio" name="scope" checked={!trade} onChange={() => setScope('mcp:read')} data-testid="consent-scope-read" /> Read only — it may
                  look but never trade
                </label>
              </>
            ) : (
              <>
                <label>
                  <input type="radio" name="scope" checked={!trade} onChange={() => setScope('mcp:read')} data-testid="consent-scope-read" /> Read only, as
                  asked
                </label>
                <label>
                  <input type="radio" name="scope" checked={trade} onChange={() => setScope('mcp:read mcp:trade')} data-testid="consent-scope-trade" /> Also
                  allow trading (more than it asked for)
                </label>
              </>
            )}
          </div>
          {!wantsTrade && trade && (
            <p className="warn-text" data-testid="consent-widen-warning">
              It asked only to read. MCP clients often ask for the least access first; with this choice it may also {SCOPE_WORDS.trade.toLowerCase()}.
            </p>
          )}
        </fieldset>

        <fieldset>
          <legend>
            Accounts it may {trade ? 'see and trade' : 'see'} {props.simulated && <span className="badge sim">SIMULATED</span>}
          </legend>
          {c.availableAccounts.length === 0 ? (
            <p className="warn-text">No NinjaTrader accounts are available — is NinjaTrader connected?</p>
          ) : (
            <div className="choices">
              {c.availableAccounts.map((a) => (
                <label key={a}>
                  <input type="checkbox" checked={accounts.includes(a)} onChange={() => toggle(a)} data-testid={`consent-account-${a}`} /> {a}
                </label>
              ))}
            </div>
          )}
          {accounts.length === 0 && c.availableAccounts.length > 0 && <p className="hint">Choose at least one account to allow access.</p>}
        </fieldset>

        {trade && (
          <fieldset>
            <legend>Before each trade</legend>
            <div className="choices">
              <label>
                <input type="radio" name="policy" checked={policy === 'always'} onChange={() => setPolicy('always')} data-testid="consent-policy-always" /> Ask me
                before every trade (recommended)
              </label>
              <label>
                <input type="radio" name="policy" checked={policy === 'never'} onChange={() => setPolicy('never')} data-testid="consent-policy-never" /> Don’t ask
              </label>
            </div>
            {policy === 'never' && (
              <p className="warn-text" data-testid="consent-policy-warning" role="alert">
                {props.simulated
                  ? 'The client will place orders on its own, without asking you. This is only sensible for simulated accounts.'
                  : 'Warning: the client will trade REAL accounts on its own, without asking you. Real money is at stake — choose “Ask me” unless you are certain.'}
              </p>
            )}
            <p className="hint">Default limits apply: at most 5 contracts per order, 10 per instrument, 10 orders per minute.</p>
          </fieldset>
        )}
        {props.queued > 0 && <p className="hint">{props.queued} more request(s) waiting after this one.</p>}
        {error && (
          <p className="error-text" role="alert" data-testid="consent-error">
            {error}
          </p>
        )}
        {expired && <p className="error-text">This request has expired. The client has to ask again.</p>}
      </div>
      <footer className="modal-actions">
        {props.fromSameClient > 1 && (
          <button type="button" className="btn" onClick={() => void run(props.onDenyAll)} disabled={busy} data-testid="consent-deny-all">
            Deny all {props.fromSameClient} from this client
          </button>
        )}
        <button ref={denyRef} type="button" className="btn" onClick={deny} disabled={busy} data-testid="consent-deny">
          Deny
        </button>
        <button
          type="button"
          className={`btn ${trade ? 'danger' : 'primary'}`}
          onClick={allow}
          onKeyDown={(e) => {
            // Enter never approves (only a click or Space on Allow itself does).
            if (e.key === 'Enter') e.preventDefault();
          }}
          disabled={busy || expired || !armed || accounts.length === 0}
          data-testid="consent-allow"
        >
          Allow{trade ? ' trading' : ' read access'}
        </button>
      </footer>
    </Modal>
  );
}
