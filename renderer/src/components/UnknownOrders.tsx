// "Needs you: orders of unknown outcome" (issue 9). An order that left for NinjaTrader without an
// answer (a timeout, a dropped link, a crash of the companion) and that NinjaTrader's order list does
// not settle waits here for the person: it was placed (this NT8 order) or it never was. Only this
// answer, given at the desktop, resolves it; the client's retry with the same clientOrderId then
// returns that order, or sends it once. Shown above every view while any is waiting.
import { useEffect, useRef, useState } from 'react';
import type { UnknownOrder, UnknownOrderCandidate } from '../../../src/control/contract.ts';
import { useApp, useControlEvents, useLoad } from '../context.ts';
import { fmtPrice, fmtTime } from '../format.ts';

/** Audit events after which the list may have changed (a new unknown outcome, a recovery, a resolution). */
const RELOAD_ON = new Set(['order.resolved', 'trade.recovered']);

export function UnknownOrders() {
  const { api } = useApp();
  const [orders, setOrders] = useState<UnknownOrder[]>([]);
  const count = useRef(0);
  const later = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const { error, load } = useLoad(
    () => api.unknownOrders(),
    (list) => {
      count.current = list.length;
      setOrders(list);
    },
  );
  useEffect(() => () => clearTimeout(later.current), []);

  useControlEvents((ev) => {
    if (ev.type === 'hello') void load();
    else if (ev.type === 'audit' && (RELOAD_ON.has(ev.row.event) || (ev.row.event === 'trade.result' && ev.row.outcome === 'unknown'))) void load();
    else if (ev.type === 'activity' && ev.row.kind === 'order' && count.current > 0 && later.current === undefined) {
      // NinjaTrader reported orders: what could be the unknown one may have changed (at most once a second).
      later.current = setTimeout(() => {
        later.current = undefined;
        void load();
      }, 1000);
    }
  });

  if (orders.length === 0 && !error) return null;
  return (
    <section className="card unknown-orders" aria-labelledby="unknown-title" data-testid="unknown-orders">
      <h2 id="unknown-title">
        Needs you: {orders.length} order{orders.length === 1 ? '' : 's'} of unknown outcome
      </h2>
      <p className="hint">
        Each left for NinjaTrader but no answer came back, so nobody knows whether it was placed. Nothing was resent. Check NinjaTrader&apos;s Orders tab,
        then say what happened: the client&apos;s retry with the same id then returns that order, or sends it once (after your confirmation).
      </p>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {orders.map((o) => (
        <UnknownOrderItem key={`${o.clientId}\u0000${o.clientOrderId}`} order={o} onResolved={load} />
      ))}
    </section>
  );
}

function describeCandidate(c: UnknownOrderCandidate): string {
  const price = c.limitPrice !== null ? ` @ ${fmtPrice(c.limitPrice)}` : c.stopPrice !== null ? ` stop ${fmtPrice(c.stopPrice)}` : '';
  const filled = c.filled > 0 ? `, ${c.filled} filled` : '';
  return `${c.orderId}: ${c.action} ${c.quantity} ${c.instrument} ${c.orderType}${price} — ${c.state}${filled}`;
}

type Answer = { kind: 'placed'; orderId: string } | { kind: 'not_placed' };

function UnknownOrderItem({ order: o, onResolved }: { order: UnknownOrder; onResolved: () => Promise<void> }) {
  const { api } = useApp();
  const [picked, setPicked] = useState<string | null>(o.found?.orderId ?? null);
  const [asking, setAsking] = useState<Answer | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const tid = (s: string) => `unknown-${s}-${o.clientOrderId}`;
  // The selection must still be one of the orders offered (the list refreshes as NinjaTrader reports).
  const offered = [...(o.found ? [o.found] : []), ...o.candidates];
  const selected = offered.some((c) => c.orderId === picked) ? picked : (o.found?.orderId ?? null);

  const answer = async (a: Answer) => {
    setBusy(true);
    setError(null);
    try {
      await api.resolveUnknown(
        a.kind === 'placed'
          ? { clientId: o.clientId, clientOrderId: o.clientOrderId, resolution: 'placed', ...(o.found?.orderId === a.orderId ? {} : { orderId: a.orderId }) }
          : { clientId: o.clientId, clientOrderId: o.clientOrderId, resolution: 'not_placed' },
      );
      setAsking(null);
      await onResolved();
    } catch (e) {
      setError((e as Error).message);
      void onResolved();
    } finally {
      setBusy(false);
    }
  };

  return (
    <article className="unknown-order" data-testid={tid('order')} aria-label={o.summary}>
      <p className="summary" data-testid={tid('summary')}>
        {o.summary}{' '}
        {o.simulated ? <span className="badge sim">SIMULATED</span> : <span className="badge live">LIVE ACCOUNT</span>}
      </p>
      <dl className="facts grid">
        <dt>Asked by</dt>
        <dd data-testid={tid('client')}>
          <bdi dir="auto" className="client-name">
            {o.clientName}
          </bdi>{' '}
          <span className="muted">(name given by the client)</span>
        </dd>
        <dt>Client&apos;s order id</dt>
        <dd>
          <code>{o.clientOrderId}</code> <span className="muted small">(NT8 name {o.wireName})</span>
        </dd>
        <dt>Sent to NinjaTrader</dt>
        <dd>{fmtTime(o.sentAt)}</dd>
        <dt>What happened</dt>
        <dd className="small" data-testid={tid('reason')}>
          {o.reason}
        </dd>
      </dl>

      {o.found ? (
        <p className="warn-text" data-testid={tid('found')}>
          NinjaTrader now lists order {describeCandidate(o.found)} under this order&apos;s name: it was placed.
        </p>
      ) : o.candidates.length > 0 ? (
        <fieldset className="unknown-candidates">
          <legend>If it was placed, which NinjaTrader order is it?</legend>
          <div className="choices" role="radiogroup">
            {o.candidates.map((c) => (
              <label key={c.orderId}>
                <input type="radio" name={tid('pick')} value={c.orderId} checked={selected === c.orderId} onChange={() => setPicked(c.orderId)} data-testid={tid(`candidate-${c.orderId}`)} />
                <span>
                  {describeCandidate(c)}
                  <span className="muted small">
                    {' '}
                    · {c.name ? <bdi dir="auto">{c.name}</bdi> : 'no name'} · {fmtTime(c.time)}
                  </span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
      ) : (
        <p className="muted" data-testid={tid('none')}>
          NinjaTrader lists no order on {o.account} that could be it (same instrument and side).
        </p>
      )}

      {asking ? (
        <div className="confirm-row" role="group" aria-label="Confirm your answer">
          <span data-testid={tid('confirm-text')}>
            {asking.kind === 'placed'
              ? `Record that it was placed as NT8 order ${asking.orderId}? The client's retry will get that order; nothing new is sent.`
              : 'Record that it was never placed? The client\u2019s retry with the same id will then send it (after your confirmation).'}
          </span>
          <button type="button" className="btn" onClick={() => setAsking(null)} disabled={busy} data-testid={tid('cancel')} autoFocus>
            Cancel
          </button>
          <button type="button" className="btn warn" onClick={() => void answer(asking)} disabled={busy} data-testid={tid('confirm')}>
            Confirm
          </button>
        </div>
      ) : (
        <div className="confirm-row">
          <button type="button" className="btn" disabled={selected === null} onClick={() => selected && setAsking({ kind: 'placed', orderId: selected })} data-testid={tid('placed')}>
            {selected ? `It was placed — it is ${selected}` : 'It was placed — choose the order'}
          </button>
          <button
            type="button"
            className="btn"
            disabled={o.found !== null}
            title={o.found ? 'NinjaTrader lists it under its name: it was placed.' : undefined}
            onClick={() => setAsking({ kind: 'not_placed' })}
            data-testid={tid('not-placed')}
          >
            It was never placed
          </button>
        </div>
      )}
      {error && (
        <p className="error-text" role="alert" data-testid={tid('error')}>
          {error}
        </p>
      )}
    </article>
  );
}
