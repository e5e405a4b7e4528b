// Order confirmation prompt: a client wants to trade. Escape = Deny; focus starts on Deny;
// Enter never approves.
import { useRef } from 'react';
import type { OrderConfirmation } from '../../../src/control/contract.ts';
import { fmtMoney, fmtPrice } from '../format.ts';
import { Countdown, usePrompt } from './Countdown.tsx';
import { Modal } from './Modal.tsx';

export function ConfirmationModal(props: { confirmation: OrderConfirmation; queued: number; onApprove: () => Promise<void>; onDeny: () => Promise<void> }) {
  const c = props.confirmation;
  const { busy, error, now, armed, expired, run, deny } = usePrompt(c.expiresAt, props.onDeny);
  const denyRef = useRef<HTMLButtonElement>(null);
  const side = (c.side ?? '').toUpperCase();
  return (
    <Modal titleId="confirm-title" descId="confirm-desc" testId="confirmation-modal" tone="danger" onEscape={deny} initialFocus={denyRef}>
      <header className="modal-head">
        <h2 id="confirm-title">
          Confirm order{' '}
          {c.simulated ? (
            <span className="badge sim" data-testid="confirmation-simulated">
              SIMULATED
            </span>
          ) : (
            <span className="badge live">LIVE ACCOUNT</span>
          )}
        </h2>
        <Countdown expiresAt={c.expiresAt} now={now} testId="confirmation-countdown" />
      </header>
      <div id="confirm-desc" className="modal-body">
        <p className="summary" data-testid="confirmation-summary">
          {c.summary}
        </p>
        <dl className="facts grid">
          <dt>Asked by</dt>
          <dd data-testid="confirmation-client">
            <bdi dir="auto" className="client-name" data-testid="confirmation-client-name">
              {c.clientName}
            </bdi>{' '}
            <span className="muted">(name given by the client)</span>
          </dd>
          <dt>Action</dt>
          <dd>
            <code>{c.tool}</code>
          </dd>
          <dt>Account</dt>
          <dd data-testid="confirmation-account">{c.account}</dd>
          <dt>Instrument</dt>
          <dd>{c.instrument ?? '—'}</dd>
          <dt>Side</dt>
          <dd className={side.startsWith('B') ? 'buy' : side.startsWith('S') ? 'sell' : ''}>{c.side ?? '—'}</dd>
          <dt>Quantity</dt>
          <dd data-testid="confirmation-quantity">
            {c.quantity ?? '—'}
            {c.current && (
              <span className="muted" data-testid="confirmation-current-quantity">
                {' '}(now {c.current.quantity}
                {c.current.filled ? `, ${c.current.filled} filled` : ''})
              </span>
            )}
          </dd>
          <dt>Type</dt>
          <dd>{c.orderType ?? '—'}</dd>
          {c.limitPrice !== null && (
            <>
              <dt>Limit price</dt>
              <dd>
                {fmtPrice(c.limitPrice)}
                {c.current && c.current.limitPrice !== null && c.current.limitPrice !== c.limitPrice && <span className="muted"> (now {fmtPrice(c.current.limitPrice)})</span>}
              </dd>
            </>
          )}
          {c.stopPrice !== null && (
            <>
              <dt>Stop price</dt>
              <dd>
                {fmtPrice(c.stopPrice)}
                {c.current && c.current.stopPrice !== null && c.current.stopPrice !== c.stopPrice && <span className="muted"> (now {fmtPrice(c.current.stopPrice)})</span>}
              </dd>
            </>
          )}
          {c.facts && (
            <>
              <dt>Bid / ask</dt>
              <dd data-testid="confirmation-quote">
                {c.facts.bid === null ? '—' : fmtPrice(c.facts.bid)} / {c.facts.ask === null ? '—' : fmtPrice(c.facts.ask)}
              </dd>
              <dt>Position</dt>
              <dd data-testid="confirmation-position">
                {c.facts.positionBefore ?? '—'} → {c.facts.positionAfter ?? '—'}
              </dd>
              <dt>Notional</dt>
              <dd data-testid="confirmation-notional">{c.facts.notional === null ? '—' : fmtMoney(c.facts.notional)}</dd>
            </>
          )}
          <dt>Estimated risk</dt>
          <dd data-testid="confirmation-risk">
            {c.estimatedRisk === null
              ? (c.facts?.riskNote ?? 'Not limited: no protective stop is attached to this order.')
              : `${fmtMoney(c.estimatedRisk)}${c.facts?.risk ? ` (${c.facts.risk.ticks} ticks to the stop)` : ''}`}
          </dd>
        </dl>
        {props.queued > 0 && <p className="hint">{props.queued} more order(s) waiting after this one.</p>}
        {error && (
          <p className="error-text" role="alert" data-testid="confirmation-error">
            {error}
          </p>
        )}
        {expired && <p className="error-text">This order request has expired and will not be placed.</p>}
        <p className="hint">Esc denies.</p>
      </div>
      <footer className="modal-actions">
        <button ref={denyRef} type="button" className="btn" onClick={deny} disabled={busy} data-testid="confirmation-deny">
          Deny
        </button>
        <button
          type="button"
          className="btn danger"
          onClick={() => !busy && !expired && armed && void run(props.onApprove)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') e.preventDefault();
          }}
          disabled={busy || expired || !armed}
          data-testid="confirmation-approve"
        >
          Approve order
        </button>
      </footer>
    </Modal>
  );
}
