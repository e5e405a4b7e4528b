// The Trading view (issue 11): per account, positions, working orders (with the client, ATM or
// bracket that placed them), this session's executions and the session P&L as a live chart against
// its high-water mark; Flatten buttons that act as the person at the desktop (a confirm step first,
// then no further prompt; a closed market or a down link is refused by the core and shown here).
import { useEffect, useState } from 'react';
import type { DeskAccount, DeskPlacedBy, FlattenBody, PnlPoint, RiskAccountState, TradingDesk } from '../../../src/control/contract.ts';
import { useApp, useControlEvents, useLoad } from '../context.ts';
import { fmtClock, fmtPrice } from '../format.ts';
import { PnlChart, type ChartLimit } from './PnlChart.tsx';
import './trading.css';

/** Money in the account's own currency ("$1,250.00", "€-80.00"); a non-ISO NT8 name is written out. */
export function moneyIn(currency: string): (n: number) => string {
  try {
    const f = new Intl.NumberFormat(undefined, { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return (n) => f.format(n);
  } catch {
    return (n) => `${n.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;
  }
}

const MAX_POINTS = 20_000;

function flattenWords(b: FlattenBody): string {
  if (b.what === 'position') return `Flatten ${b.instrument} on ${b.account}`;
  if (b.what === 'account') return `Flatten every position on ${b.account}`;
  return 'Flatten everything on every account';
}

function PlacedBy({ p }: { p: DeskPlacedBy }) {
  if (p.kind === 'ninjatrader') return <span className="muted">{p.label}</span>;
  return (
    <span>
      <bdi dir="auto" className="client-name">
        {p.label}
      </bdi>
      {p.clientOrderId && <span className="muted mono small"> · {p.clientOrderId}</span>}
    </span>
  );
}

interface FlattenCtl {
  asking: FlattenBody | null;
  busy: boolean;
  connected: boolean;
  ask: (b: FlattenBody | null) => void;
  run: (b: FlattenBody) => void;
}

const same = (a: FlattenBody | null, b: FlattenBody) => JSON.stringify(a) === JSON.stringify(b);

/** A Flatten button with its confirm step in place (focus on Cancel; Enter never flattens). */
function FlattenButton({ ctl, body, label, big }: { ctl: FlattenCtl; body: FlattenBody; label: string; big?: boolean }) {
  return same(ctl.asking, body) ? (
    <span className="confirm-row" role="group" aria-label={`Confirm: ${flattenWords(body)}`} data-testid="flatten-confirm-row">
      <span className="small">{flattenWords(body)} now, with market orders? No further prompt.</span>
      <button type="button" className="btn small" onClick={() => ctl.ask(null)} autoFocus data-testid="flatten-cancel">
        Cancel
      </button>
      <button
        type="button"
        className="btn danger small"
        disabled={ctl.busy}
        onClick={() => ctl.run(body)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') e.preventDefault();
        }}
        data-testid="flatten-confirm"
      >
        Flatten
      </button>
    </span>
  ) : (
    <button type="button" className={`btn ${big ? 'danger' : 'small'}`} disabled={ctl.busy || !ctl.connected} onClick={() => ctl.ask(body)} data-testid={`flatten-${body.what}`}>
      {label}
    </button>
  );
}

export function Trading() {
  const { api, status } = useApp();
  const [desk, setDesk] = useState<TradingDesk | null>(null);
  const [asking, setAsking] = useState<FlattenBody | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  const { error, load } = useLoad(() => api.trading(), setDesk);
  // The person's risk rules, drawn on each account's chart; the trailing floor moves with the
  // session high, so they are re-read while the view is open (and at once when they change).
  const [risk, setRisk] = useState<RiskAccountState[]>([]);
  const { load: loadRisk } = useLoad(() => api.riskRules(), setRisk);
  useEffect(() => {
    const t = setInterval(() => void loadRisk(), 5000);
    return () => clearInterval(t);
  }, [loadRisk]);

  useControlEvents((ev) => {
    if (ev.type === 'hello') void load();
    else if (ev.type === 'risk.changed' || ev.type === 'risk.breach') void loadRisk();
    else if (ev.type === 'trading.account') {
      setDesk((d) => {
        if (!d) return d;
        const i = d.accounts.findIndex((a) => a.name === ev.account.name);
        const accounts = i < 0 ? [...d.accounts, ev.account] : d.accounts.map((a, j) => (j === i ? ev.account : a));
        const prev = d.series[ev.account.name] ?? [];
        const last = prev[prev.length - 1];
        // A new session starts a new series; the same second replaces its point.
        const fresh = prev.length > 0 && Date.parse(prev[0]!.time) < Date.parse(ev.account.sessionStart);
        const base: PnlPoint[] = fresh ? [] : last && last.time === ev.point.time ? prev.slice(0, -1) : prev;
        const series = { ...d.series, [ev.account.name]: [...base, ev.point].slice(-MAX_POINTS) };
        return { ...d, accounts, series, stale: ev.stale };
      });
    }
  });

  const flatten = async (b: FlattenBody) => {
    setBusy(true);
    setResult(null);
    try {
      const r = await api.flatten(b);
      setResult({ ok: true, text: r.message });
      setAsking(null);
    } catch (e) {
      setResult({ ok: false, text: (e as Error).message });
      setAsking(null);
    } finally {
      setBusy(false);
    }
  };

  const ctl: FlattenCtl = { asking, busy, connected: status.link.status === 'connected', ask: setAsking, run: (b) => void flatten(b) };

  return (
    <section className="trading" aria-labelledby="trading-title" data-testid="trading">
      <div className="card-head">
        <h2 id="trading-title">Trading</h2>
        <div className="trading-actions">
          {desk?.stale && (
            <span className="pill warn" data-testid="trading-stale">
              NinjaTrader link down — last known state
            </span>
          )}
          {desk && desk.accounts.length > 0 && <FlattenButton ctl={ctl} body={{ what: 'everything' }} label="Flatten everything…" big />}
        </div>
      </div>
      {result && (
        <p className={result.ok ? 'ok-text' : 'error-text'} role={result.ok ? 'status' : 'alert'} data-testid={result.ok ? 'flatten-result' : 'flatten-error'}>
          {result.text}
        </p>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {!desk ? (
        <p className="muted">Loading…</p>
      ) : desk.accounts.length === 0 ? (
        <div className="empty card" data-testid="trading-empty">
          <p>NinjaTrader reports no account right now.</p>
          <p className="muted">Connect NinjaTrader (or start the companion with its simulator); accounts, positions and P&L appear here live.</p>
        </div>
      ) : (
        desk.accounts.map((a) => <AccountCard key={a.name} a={a} points={desk.series[a.name] ?? []} limits={limitsOf(risk.find((r) => r.account === a.name))} ctl={ctl} />)
      )}
    </section>
  );
}

/**
 * The risk rules as floors of the session P&L: the daily loss limit at −limit; the trailing drawdown
 * at the net-liquidation high minus the allowed drop, moved into P&L terms (P&L and net liquidation
 * differ by the session's starting value).
 */
function limitsOf(r: RiskAccountState | undefined): ChartLimit[] {
  if (!r?.rules) return [];
  const out: ChartLimit[] = [];
  if (r.rules.dailyLossLimit !== null) out.push({ title: 'Daily loss limit', value: -r.rules.dailyLossLimit });
  if (r.rules.trailingDrawdown !== null && r.pnl !== null && r.netLiquidation !== null && r.netLiquidationHigh !== null) {
    out.push({ title: 'Trailing drawdown', value: r.pnl - r.netLiquidation + r.netLiquidationHigh - r.rules.trailingDrawdown });
  }
  return out;
}

function AccountCard({ a, points, limits, ctl }: { a: DeskAccount; points: PnlPoint[]; limits: ChartLimit[]; ctl: FlattenCtl }) {
  const m = moneyIn(a.currency);
  const tone = (n: number) => (n > 0 ? 'pos' : n < 0 ? 'neg' : '');
  return (
    <article className="card account-card" data-testid="trading-account" data-account={a.name} aria-label={`Account ${a.name}`}>
      <header className="card-head">
        <h3>
          {a.name}
          {a.displayName !== a.name && <span className="muted"> “{a.displayName}”</span>} <span className="muted small">{a.currency}</span>{' '}
          {a.simulated && <span className="badge sim">SIM</span>}
        </h3>
        {(a.positions.length > 0 || a.orders.length > 0) && <FlattenButton ctl={ctl} body={{ what: 'account', account: a.name }} label="Flatten account…" />}
      </header>
      <div className="trading-grid">
        <dl className="stats" data-testid="trading-stats">
          <div>
            <dt>Session P&L</dt>
            <dd className={tone(a.pnl)} data-testid="stat-pnl">
              {m(a.pnl)}
            </dd>
          </div>
          <div>
            <dt>High-water mark</dt>
            <dd data-testid="stat-high">{m(a.pnlHigh)}</dd>
          </div>
          <div>
            <dt>Drawdown from it</dt>
            <dd className={a.drawdown > 0 ? 'neg' : ''} data-testid="stat-drawdown">
              {m(a.drawdown > 0 ? -a.drawdown : 0)}
            </dd>
          </div>
          <div>
            <dt>Unrealized</dt>
            <dd className={tone(a.unrealizedPnL)}>{m(a.unrealizedPnL)}</dd>
          </div>
          <div>
            <dt>Net liquidation</dt>
            <dd>{m(a.netLiquidation)}</dd>
          </div>
          <div className="muted small">Session since {new Date(a.sessionStart).toLocaleString()}</div>
        </dl>
        <PnlChart account={a.name} points={points} format={m} limits={limits} />
      </div>

      <h4>Positions</h4>
      {a.positions.length === 0 ? (
        <p className="muted small" data-testid="no-positions">
          Flat.
        </p>
      ) : (
        <div className="table-wrap">
          <table data-testid="positions-table">
            <thead>
              <tr>
                <th scope="col">Instrument</th>
                <th scope="col">Side</th>
                <th scope="col" className="num">
                  Quantity
                </th>
                <th scope="col" className="num">
                  Avg price
                </th>
                <th scope="col" className="num">
                  Unrealized P&L
                </th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {a.positions.map((p) => (
                <tr key={p.instrument} data-testid="position-row" data-instrument={p.instrument}>
                  <td className="mono">{p.instrument}</td>
                  <td>
                    <span className={`pill ${p.side === 'Long' ? 'ok' : p.side === 'Short' ? 'danger' : 'warn'}`}>{p.side}</span>
                  </td>
                  <td className="num">{p.quantity}</td>
                  <td className="num">{fmtPrice(p.averagePrice)}</td>
                  <td className={`num ${tone(p.unrealizedPnL)}`} data-testid="position-pnl">
                    {m(p.unrealizedPnL)}
                  </td>
                  <td className="actions">
                    <FlattenButton ctl={ctl} body={{ what: 'position', account: a.name, instrument: p.instrument }} label="Flatten…" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h4>Working orders</h4>
      {a.orders.length === 0 ? (
        <p className="muted small" data-testid="no-orders">
          None.
        </p>
      ) : (
        <div className="table-wrap">
          <table data-testid="orders-table">
            <thead>
              <tr>
                <th scope="col">Placed by</th>
                <th scope="col">Order</th>
                <th scope="col" className="num">
                  Filled
                </th>
                <th scope="col">State</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {a.orders.map((o) => (
                <tr key={o.orderId} data-testid="order-row" data-order-id={o.orderId}>
                  <td>
                    <PlacedBy p={o.placedBy} />
                    {o.role && (
                      <div className="small" data-testid="order-role">
                        <span className="pill">{o.role}</span>
                      </div>
                    )}
                  </td>
                  <td>
                    {o.action} {o.quantity} <span className="mono">{o.instrument}</span> {o.orderType.toUpperCase()}
                    {o.limitPrice !== null && ` @ ${fmtPrice(o.limitPrice)}`}
                    {o.stopPrice !== null && ` stop ${fmtPrice(o.stopPrice)}`}
                    <div className="muted mono small">{o.orderId}</div>
                  </td>
                  <td className="num">{o.filled}</td>
                  <td>{o.state}</td>
                  <td>{fmtClock(o.time)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h4>Today's executions</h4>
      {a.executions.length === 0 ? (
        <p className="muted small" data-testid="no-executions">
          None this session.
        </p>
      ) : (
        <div className="table-wrap executions">
          <table data-testid="executions-table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Placed by</th>
                <th scope="col">Fill</th>
                <th scope="col" className="num">
                  Commission
                </th>
              </tr>
            </thead>
            <tbody>
              {a.executions.map((e) => (
                <tr key={e.executionId} data-testid="execution-row">
                  <td>{fmtClock(e.time)}</td>
                  <td>
                    <PlacedBy p={e.placedBy} />
                  </td>
                  <td>
                    {e.action} {e.quantity} <span className="mono">{e.instrument}</span> @ {fmtPrice(e.price)}
                  </td>
                  <td className="num">{m(e.commission)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </article>
  );
}
