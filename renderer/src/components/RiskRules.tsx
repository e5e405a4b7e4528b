// Account risk rules (issue 11 item 3): the person's editor per NT8 account, with the room each
// rule leaves right now, and the banner that tells the person a rule broke. Only the desktop sets
// these (the control API); no MCP tool can. The server enforces them in the guarded trade path
// and on every P&L change (src/trading/risk-rules.ts).
import { useEffect, useRef, useState } from 'react';
import type { ControlEvent, RiskAccountState, RiskRules as Rules } from '../../../src/control/contract.ts';
import { useApp, useControlEvents, useLoad } from '../context.ts';
import { fmtTime } from '../format.ts';

const money = (n: number | null) => (n === null ? '—' : `${n < 0 ? '−' : ''}$${Math.abs(n).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);

/** The rules view: one card per account the link reports (and any other account with rules). */
export function RiskRules() {
  const { api } = useApp();
  const [accounts, setAccounts] = useState<RiskAccountState[] | null>(null);
  const later = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const { error, load } = useLoad(() => api.riskRules(), setAccounts);
  useEffect(() => {
    // Room left moves with the market: refresh while the view is open.
    const t = setInterval(() => void load(), 2000);
    return () => {
      clearInterval(t);
      clearTimeout(later.current);
    };
  }, [load]);
  useControlEvents((ev) => {
    if (ev.type === 'hello' || ev.type === 'risk.changed' || ev.type === 'risk.breach') void load();
  });

  return (
    <section className="card risk-rules" aria-labelledby="risk-title" data-testid="risk-rules">
      <h2 id="risk-title">Risk rules</h2>
      <p className="hint">
        Limits per NinjaTrader account, enforced by the companion for every AI client: new risk is refused with the room left; with “Flatten and lock”, a
        breach also flattens the account and locks it until the next session (18:00 ET). Only you set them, here — no AI client can change them. Closing
        orders, cancels and flatten always pass.
      </p>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {accounts === null && !error && <p className="muted">Loading…</p>}
      {accounts?.length === 0 && <p className="empty">NinjaTrader reports no account yet.</p>}
      {accounts?.map((a) => <AccountRules key={a.account} state={a} onSaved={load} />)}
    </section>
  );
}

type Draft = {
  dailyLossLimit: string;
  trailingDrawdown: string;
  maxContractsPerInstrument: string;
  maxContractsTotal: string;
  hours: boolean;
  start: string;
  end: string;
  onBreach: Rules['onBreach'];
};

function draftOf(r: Rules | null): Draft {
  const s = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));
  return {
    dailyLossLimit: s(r?.dailyLossLimit),
    trailingDrawdown: s(r?.trailingDrawdown),
    maxContractsPerInstrument: s(r?.maxContractsPerInstrument),
    maxContractsTotal: s(r?.maxContractsTotal),
    hours: !!r?.tradingHours,
    start: r?.tradingHours?.start ?? '09:30',
    end: r?.tradingHours?.end ?? '15:45',
    onBreach: r?.onBreach ?? 'refuse',
  };
}

/** Draft → rules, or the sentence saying which field is wrong. */
function rulesOf(d: Draft): Rules | string {
  const num = (v: string, what: string, int: boolean): number | null | string => {
    if (v.trim() === '') return null;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || (int && !Number.isInteger(n))) return `${what} must be ${int ? 'a whole number' : 'an amount'} above 0, or empty for none.`;
    return n;
  };
  const loss = num(d.dailyLossLimit, 'Daily loss limit', false);
  const dd = num(d.trailingDrawdown, 'Trailing drawdown', false);
  const per = num(d.maxContractsPerInstrument, 'Max contracts per instrument', true);
  const total = num(d.maxContractsTotal, 'Max contracts in total', true);
  for (const v of [loss, dd, per, total]) if (typeof v === 'string') return v;
  return {
    dailyLossLimit: loss as number | null,
    trailingDrawdown: dd as number | null,
    maxContractsPerInstrument: per as number | null,
    maxContractsTotal: total as number | null,
    tradingHours: d.hours ? { start: d.start, end: d.end } : null,
    onBreach: d.onBreach,
  };
}

function AccountRules({ state: a, onSaved }: { state: RiskAccountState; onSaved: () => Promise<void> }) {
  const { api } = useApp();
  const [draft, setDraft] = useState<Draft>(() => draftOf(a.rules));
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ error: boolean; text: string } | null>(null);
  // Saved elsewhere (another tab, the control API): follow it unless the person is editing.
  const savedKey = JSON.stringify(a.rules);
  useEffect(() => {
    if (!dirty) setDraft(draftOf(a.rules));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [savedKey]);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => {
    setDraft((d) => ({ ...d, [k]: v }));
    setDirty(true);
    setMsg(null);
  };
  const save = async () => {
    const rules = rulesOf(draft);
    if (typeof rules === 'string') {
      setMsg({ error: true, text: rules });
      return;
    }
    setBusy(true);
    try {
      await api.setRiskRules(a.account, rules);
      setDirty(false);
      setMsg({ error: false, text: 'Saved: enforced from the next call.' });
      await onSaved();
    } catch (e) {
      setMsg({ error: true, text: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  const id = (f: string) => `risk-${a.account}-${f}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const tid = (f: string) => `risk-${a.account}-${f}`;
  const r = a.room;
  return (
    <div className="risk-account" data-testid={`risk-account-${a.account}`}>
      <div className="card-head">
        <h3>{a.account}</h3>
        {a.locked ? (
          <span className="pill danger" data-testid={tid('locked')} title={a.locked.reason}>
            Locked until {a.locked.untilEt}
          </span>
        ) : a.breaches.length > 0 ? (
          <span className="pill danger" data-testid={tid('breached')}>
            Rule broken: new risk refused
          </span>
        ) : a.rules ? (
          <span className="pill" data-testid={tid('active')}>
            Rules active
          </span>
        ) : (
          <span className="pill muted">No rules</span>
        )}
      </div>
      {a.locked && (
        <p className="warn-text" data-testid={tid('lock-reason')}>
          {a.locked.reason}. Locked since {fmtTime(a.locked.since)}; it unlocks by itself at the next session.
        </p>
      )}
      <dl className="facts grid" data-testid={tid('room')}>
        <dt>Today&apos;s P&amp;L</dt>
        <dd data-testid={tid('pnl')}>{money(a.pnl)}</dd>
        <dt>Room to daily loss limit</dt>
        <dd data-testid={tid('room-daily')}>{r.dailyLoss === null ? '—' : money(r.dailyLoss)}</dd>
        <dt>Room to trailing drawdown</dt>
        <dd data-testid={tid('room-trailing')}>
          {r.trailingDrawdown === null ? '—' : `${money(r.trailingDrawdown)} (net liq ${money(a.netLiquidation)}, high ${money(a.netLiquidationHigh)})`}
        </dd>
        <dt>Contracts</dt>
        <dd data-testid={tid('room-contracts')}>
          {r.instruments.length === 0 ? 'none held' : r.instruments.map((i) => `${i.root} ${i.contracts}${i.room === null ? '' : ` (room ${i.room})`}`).join(', ')}
          {r.contractsTotal !== null ? ` · room in total ${r.contractsTotal}` : ''}
        </dd>
        {r.insideHours !== null && (
          <>
            <dt>Trading hours</dt>
            <dd>{r.insideHours ? 'inside the window' : 'outside the window: new risk refused'}</dd>
          </>
        )}
      </dl>
      <form
        className="risk-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <label htmlFor={id('loss')}>Daily loss limit ($)</label>
        <input id={id('loss')} inputMode="decimal" placeholder="none" value={draft.dailyLossLimit} onChange={(e) => set('dailyLossLimit', e.target.value)} data-testid={tid('daily')} />
        <label htmlFor={id('dd')}>Trailing drawdown from the session high ($)</label>
        <input id={id('dd')} inputMode="decimal" placeholder="none" value={draft.trailingDrawdown} onChange={(e) => set('trailingDrawdown', e.target.value)} data-testid={tid('trailing')} />
        <label htmlFor={id('per')}>Max contracts per instrument</label>
        <input id={id('per')} inputMode="numeric" placeholder="none" value={draft.maxContractsPerInstrument} onChange={(e) => set('maxContractsPerInstrument', e.target.value)} data-testid={tid('per')} />
        <label htmlFor={id('total')}>Max contracts in total</label>
        <input id={id('total')} inputMode="numeric" placeholder="none" value={draft.maxContractsTotal} onChange={(e) => set('maxContractsTotal', e.target.value)} data-testid={tid('total')} />
        <label>
          <input type="checkbox" checked={draft.hours} onChange={(e) => set('hours', e.target.checked)} data-testid={tid('hours')} /> New risk only between
        </label>
        <span className="nowrap">
          <input type="time" aria-label="Window start (ET)" value={draft.start} disabled={!draft.hours} onChange={(e) => set('start', e.target.value)} data-testid={tid('start')} /> and{' '}
          <input type="time" aria-label="Window end (ET)" value={draft.end} disabled={!draft.hours} onChange={(e) => set('end', e.target.value)} data-testid={tid('end')} /> ET
        </span>
        <label htmlFor={id('breach')}>On a breach</label>
        <select id={id('breach')} value={draft.onBreach} onChange={(e) => set('onBreach', e.target.value as Rules['onBreach'])} data-testid={tid('on-breach')}>
          <option value="refuse">Refuse new risk</option>
          <option value="flatten_and_lock">Flatten and lock until the next session</option>
        </select>
        <div className="toolbar">
          <button type="submit" className="btn primary" disabled={busy || !dirty} data-testid={tid('save')}>
            Save rules
          </button>
          {msg && (
            <span className={msg.error ? 'error-text' : 'muted'} role={msg.error ? 'alert' : 'status'} data-testid={tid('message')}>
              {msg.text}
            </span>
          )}
        </div>
      </form>
      <p className="muted small" data-testid={tid('summary')}>
        {a.summary}
      </p>
    </div>
  );
}

/** Shown above every view when a rule broke: what happened and what the companion did. Dismissable. */
export function RiskBreachBanner() {
  const [breaches, setBreaches] = useState<Extract<ControlEvent, { type: 'risk.breach' }>[]>([]);
  useControlEvents((ev) => {
    if (ev.type === 'risk.breach') setBreaches((b) => [...b.slice(-4), ev]);
  });
  if (breaches.length === 0) return null;
  const last = breaches[breaches.length - 1]!;
  return (
    <div className="banner danger" role="alert" data-testid="risk-breach-banner">
      <span>
        <strong>Risk rule broken on {last.account}.</strong> {last.message}
      </span>
      <button type="button" className="btn small" onClick={() => setBreaches([])} data-testid="risk-breach-dismiss">
        Dismiss
      </button>
    </div>
  );
}
