// Account risk rules (issue 11 item 3): limits the person sets per NT8 account at the desktop
// (dashboard or control API; no MCP tool can read them for writing, let alone change them), kept in
// SQLite and enforced here, in two places:
//   (a) checkRiskRules(), one named step of the guarded trade path: new risk is refused with a
//       code and a sentence that states the room left; closing or reducing orders, cancels and
//       flatten always pass;
//   (b) the watcher: every account / position change (and a one-second sweep for time-based rules)
//       re-evaluates the account, so a breach while no call is in flight still acts: with
//       onBreach 'flatten_and_lock' the account is flattened on the person's behalf (audited),
//       locked until the next session start by the calendar, and the desktop is notified.
// Money is the account's currency as NinjaTrader reports it; the daily P&L is realized since the
// session start plus unrealized (src/trading/watermarks.ts), the drawdown is measured from the
// session's net-liquidation high.
import type { AuditLog } from '../audit/audit.ts';
import type { EventBus } from '../events.ts';
import { etParts, formatEt, sessionOf } from '../market/calendar.ts';
import { rootOfContract } from '../ninjatrader/instruments.ts';
import type { Mirror } from '../ninjatrader/mirror.ts';
import type { DB } from '../store/db.ts';
import { Refusal } from './refusal.ts';
import type { Watermarks } from './watermarks.ts';

export type OnBreach = 'refuse' | 'flatten_and_lock';

/** One account's rules. A null limit is not enforced. */
export interface RiskRules {
  /** Largest loss allowed today (realized since the session start + unrealized), in dollars, > 0. */
  dailyLossLimit: number | null;
  /** Largest drop allowed from the session's net-liquidation high, in dollars, > 0. */
  trailingDrawdown: number | null;
  /** Most contracts per instrument root (every month of ES counts as ES), long or short. */
  maxContractsPerInstrument: number | null;
  /** Most contracts across every instrument of the account. */
  maxContractsTotal: number | null;
  /** New risk only inside this America/New_York window ("09:30"–"15:45"; end after start, or an overnight window). */
  tradingHours: { start: string; end: string } | null;
  /** 'refuse': new risk is refused while a rule is broken. 'flatten_and_lock': also flatten the account and lock it until the next session. */
  onBreach: OnBreach;
}

export const NO_RULES: RiskRules = {
  dailyLossLimit: null,
  trailingDrawdown: null,
  maxContractsPerInstrument: null,
  maxContractsTotal: null,
  tradingHours: null,
  onBreach: 'refuse',
};

export interface RiskLock {
  /** The code of the breach that locked the account (risk_daily_loss, …). */
  code: string;
  reason: string;
  since: string;
  /** The next session start after the breach (CME Globex calendar): the lock ends then by itself. */
  until: string;
  /** The same instant as the person reads it: "Wed 2026-11-18 18:00 ET". */
  untilEt: string;
}

/** What the desktop and get_status / get_watermarks show for an account. */
export interface RiskAccountState {
  account: string;
  /** null: no rules set for this account. */
  rules: RiskRules | null;
  updatedAt: string | null;
  locked: RiskLock | null;
  /** Null when the link does not report the account right now. */
  pnl: number | null;
  netLiquidation: number | null;
  netLiquidationHigh: number | null;
  sessionStart: string | null;
  room: {
    /** Dollars the account may still lose today before the daily loss limit (0 when at or past it). */
    dailyLoss: number | null;
    /** Dollars the account may still drop from its session high. */
    trailingDrawdown: number | null;
    /** Contracts that may still be added across the account (worst case of working orders included). */
    contractsTotal: number | null;
    /** Per root held or working: contracts held (worst case) and room left under maxContractsPerInstrument. */
    instruments: { root: string; contracts: number; room: number | null }[];
    /** Whether new risk is inside the trading-hours window now; null without a window. */
    insideHours: boolean | null;
  };
  /** The rules broken right now (new risk is refused while any is). */
  breaches: { code: string; message: string }[];
  /** One sentence for the person and the model: "Daily loss limit $500: today's P&L is −$480.00, room left $20.00. …" */
  summary: string;
}

/** What an action would do, as the guard pipeline tells the risk step. */
export interface OrderEffect {
  kind: 'place' | 'modify' | 'reverse' | 'cancel' | 'cancelAll' | 'flatten' | 'flattenEverything';
  /** The contract it trades, null when it trades none (cancel, flatten) or the order is unknown. */
  instrument: string | null;
  /**
   * The signed quantity it adds to the exposure in its direction (+ buys, − sells), as the grant
   * limits count it: a new order's quantity, a change's growth, a reversal's twice the position.
   */
  qty: number;
  /** The side it works on: +1 buys, −1 sells. */
  dir: 1 | -1;
  /** The signed quantity the position moves by when it fills whole: closing or reducing = opposite the position and no larger. */
  fill: number;
  /** Only lowers an order's quantity (always allowed). */
  reduceOnly?: boolean;
}

export interface Exposure {
  position: number;
  buys: number;
  sells: number;
}

export interface RiskDeps {
  db: DB;
  audit: AuditLog;
  bus: EventBus;
  mirror: () => Mirror;
  watermarks: Watermarks;
  now: () => number;
  /** The account's exposure in a contract's root across months: position, working/in-flight/pending buys and sells. */
  exposure: (account: string, contract: string) => Exposure;
  /** Contracts the account holds, works or has in flight (for the total). */
  contracts: (account: string) => string[];
  /** Flattens the account on the person's behalf, through the trading service (audited there). */
  flatten: (account: string, why: string) => Promise<void>;
  /** A row in the activity log the dashboard shows. */
  activity: (kind: string, message: string, account: string | null) => void;
  /** Period of the time-based sweep (trading hours, lock expiry, flatten retries); 0 = none. Default 1000 ms. */
  sweepMs?: number;
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const RISK_KINDS = new Set<OrderEffect['kind']>(['place', 'modify', 'reverse']);

/** "$1,234.50", "−$480.00" (a real minus sign). */
export function money(n: number): string {
  const abs = Math.abs(Math.round(n * 100) / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${n < -0.004 ? '−' : ''}$${abs}`;
}
const whole = (n: number) => (Number.isInteger(n) ? `$${n.toLocaleString('en-US')}` : money(n));

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** Whether ET minutes-of-day `m` is inside [start, end) (an overnight window wraps midnight). */
export function insideWindow(w: { start: string; end: string }, ms: number): boolean {
  const m = etParts(ms).minutes;
  const s = minutesOf(w.start);
  const e = minutesOf(w.end);
  return s < e ? m >= s && m < e : m >= s || m < e;
}

/** Checks a rule set the desktop sends (the control API validates types with zod first). */
export function validateRules(r: RiskRules): string | null {
  if (r.tradingHours) {
    if (!HHMM.test(r.tradingHours.start) || !HHMM.test(r.tradingHours.end)) return 'the trading-hours window needs two times as HH:MM (America/New_York), e.g. 09:30 and 15:45';
    if (r.tradingHours.start === r.tradingHours.end) return 'the trading-hours window starts and ends at the same time';
  }
  if (r.maxContractsPerInstrument !== null && r.maxContractsTotal !== null && r.maxContractsTotal < r.maxContractsPerInstrument) {
    return `the total (${r.maxContractsTotal}) is below the per-instrument maximum (${r.maxContractsPerInstrument})`;
  }
  return null;
}

const hasAny = (r: RiskRules) =>
  r.dailyLossLimit !== null || r.trailingDrawdown !== null || r.maxContractsPerInstrument !== null || r.maxContractsTotal !== null || r.tradingHours !== null;

const worst = (e: Exposure) => Math.max(Math.abs(e.position + e.buys), Math.abs(e.position - e.sells));

export class AccountRiskRules {
  private readonly s;
  private readonly rules = new Map<string, { rules: RiskRules; updatedAt: number }>();
  private readonly locks = new Map<string, { code: string; reason: string; lockedAt: number; until: number }>();
  /** Breaches already told (account|code|session), so a 'refuse' breach notifies once per session. */
  private readonly told = new Set<string>();
  /** Accounts being flattened now, or whose last flatten failed and waits for the next sweep. */
  private readonly flattening = new Set<string>();
  private readonly retryAfter = new Map<string, number>();
  private readonly timer: NodeJS.Timeout | null;

  constructor(private readonly deps: RiskDeps) {
    const db = deps.db;
    this.s = {
      allRules: db.prepare('SELECT account, rules, updated_at FROM risk_rules'),
      putRules: db.prepare(
        'INSERT INTO risk_rules (account, rules, updated_at) VALUES (?, ?, ?) ON CONFLICT(account) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at',
      ),
      delRules: db.prepare('DELETE FROM risk_rules WHERE account = ?'),
      allLocks: db.prepare('SELECT account, code, reason, locked_at, until FROM risk_locks'),
      putLock: db.prepare(
        'INSERT INTO risk_locks (account, code, reason, locked_at, until) VALUES (?, ?, ?, ?, ?) ON CONFLICT(account) DO UPDATE SET code = excluded.code, reason = excluded.reason, locked_at = excluded.locked_at, until = excluded.until',
      ),
      delLock: db.prepare('DELETE FROM risk_locks WHERE account = ?'),
    };
    for (const r of this.s.allRules.all() as { account: string; rules: string; updated_at: number }[]) {
      this.rules.set(r.account, { rules: { ...NO_RULES, ...(JSON.parse(r.rules) as Partial<RiskRules>) }, updatedAt: r.updated_at });
    }
    for (const l of this.s.allLocks.all() as { account: string; code: string; reason: string; locked_at: number; until: number }[]) {
      this.locks.set(l.account, { code: l.code, reason: l.reason, lockedAt: l.locked_at, until: l.until });
    }
    deps.watermarks.describeRiskWith((account) => (this.rules.has(account) || this.locks.has(account) ? this.state(account) : undefined));
    const period = deps.sweepMs ?? 1000;
    this.timer = period > 0 ? setInterval(() => this.sweep(), period) : null;
    this.timer?.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  // ───────────────────────── the desktop's side ─────────────────────────

  rulesOf(account: string): RiskRules | null {
    return this.rules.get(account)?.rules ?? null;
  }

  /** Sets (or, with every limit null, clears) an account's rules. Only the control API calls this. */
  set(account: string, rules: RiskRules, by: string): RiskAccountState {
    const why = validateRules(rules);
    if (why) throw new Refusal('invalid_arguments', `Risk rules for ${account} not saved: ${why}.`);
    const before = this.rulesOf(account);
    const t = this.deps.now();
    if (hasAny(rules)) {
      this.s.putRules.run(account, JSON.stringify(rules), t);
      this.rules.set(account, { rules: { ...rules }, updatedAt: t });
    } else {
      this.s.delRules.run(account);
      this.rules.delete(account);
    }
    this.deps.audit.record({
      kind: 'control',
      event: 'risk.rules',
      outcome: 'ok',
      detail: `${by} set the risk rules of ${account}: ${describeRules(before)} → ${describeRules(hasAny(rules) ? rules : null)}`,
    });
    this.deps.activity('risk', `Risk rules of ${account} changed at the desktop: ${describeRules(hasAny(rules) ? rules : null)}.`, account);
    this.deps.bus.emit({ type: 'risk.changed', account });
    // A rule set below where the account already is acts at once (a loss already past a new limit).
    this.evaluate(account);
    return this.state(account);
  }

  /** Every account the link reports, plus any other account with rules or a lock. */
  list(): RiskAccountState[] {
    const names = new Set([...this.deps.mirror().accounts().map((a) => a.name), ...this.rules.keys(), ...this.locks.keys()]);
    return [...names].sort().map((n) => this.state(n));
  }

  // ───────────────────────── reading the account ─────────────────────────

  /** The lock in force, or null; a lock whose session has ended is lifted here (audited). */
  lockOf(account: string): RiskLock | null {
    const l = this.locks.get(account);
    if (!l) return null;
    if (this.deps.now() >= l.until) {
      this.locks.delete(account);
      this.s.delLock.run(account);
      this.deps.audit.record({ kind: 'control', event: 'risk.unlocked', outcome: 'ok', detail: `${account} unlocked: a new session started (${formatEt(l.until)}) after the ${l.code} lock` });
      this.deps.activity('risk', `${account} is unlocked: the new session started (${formatEt(l.until)}).`, account);
      this.deps.bus.emit({ type: 'risk.changed', account });
      return null;
    }
    return { code: l.code, reason: l.reason, since: new Date(l.lockedAt).toISOString(), until: new Date(l.until).toISOString(), untilEt: formatEt(l.until) };
  }

  /** The rules broken right now by the account's P&L and the clock (not by an order: that is the guard's). */
  private breaches(account: string, rules: RiskRules): { code: string; message: string }[] {
    const out: { code: string; message: string }[] = [];
    const pnl = this.deps.watermarks.current(this.deps.mirror(), account);
    if (pnl && rules.dailyLossLimit !== null && pnl.pnl <= -rules.dailyLossLimit) {
      out.push({ code: 'risk_daily_loss', message: `Daily loss limit ${whole(rules.dailyLossLimit)} on ${account}: today's P&L is ${money(pnl.pnl)}, room left $0.00` });
    }
    if (pnl && rules.trailingDrawdown !== null) {
      const dd = pnl.netLiquidationHigh - pnl.netLiquidation;
      if (dd >= rules.trailingDrawdown) {
        out.push({
          code: 'risk_trailing_drawdown',
          message: `Trailing drawdown ${whole(rules.trailingDrawdown)} on ${account}: net liquidation ${money(pnl.netLiquidation)} is ${money(dd)} below the session high of ${money(pnl.netLiquidationHigh)}, room left $0.00`,
        });
      }
    }
    return out;
  }

  /** Everything the desktop and the read tools show about an account's rules. */
  state(account: string): RiskAccountState {
    const saved = this.rules.get(account);
    const rules = saved?.rules ?? null;
    const locked = this.lockOf(account);
    const mirror = this.deps.mirror();
    const pnl = this.deps.watermarks.current(mirror, account);
    const now = this.deps.now();
    const r2 = (n: number) => Math.round(n * 100) / 100;
    const roots = new Map<string, number>();
    for (const c of this.deps.contracts(account)) {
      const root = rootOfContract(c) ?? c;
      if (!roots.has(root)) roots.set(root, worst(this.deps.exposure(account, c)));
    }
    const total = [...roots.values()].reduce((s, n) => s + n, 0);
    const room: RiskAccountState['room'] = {
      dailyLoss: rules?.dailyLossLimit != null && pnl ? r2(Math.max(0, rules.dailyLossLimit + pnl.pnl)) : null,
      trailingDrawdown: rules?.trailingDrawdown != null && pnl ? r2(Math.max(0, rules.trailingDrawdown - (pnl.netLiquidationHigh - pnl.netLiquidation))) : null,
      contractsTotal: rules?.maxContractsTotal != null ? Math.max(0, rules.maxContractsTotal - total) : null,
      instruments: [...roots].filter(([, n]) => n > 0).map(([root, n]) => ({ root, contracts: n, room: rules?.maxContractsPerInstrument != null ? Math.max(0, rules.maxContractsPerInstrument - n) : null })),
      insideHours: rules?.tradingHours ? insideWindow(rules.tradingHours, now) : null,
    };
    const breaches = rules ? this.breaches(account, rules) : [];
    return {
      account,
      rules,
      updatedAt: saved ? new Date(saved.updatedAt).toISOString() : null,
      locked,
      pnl: pnl ? r2(pnl.pnl) : null,
      netLiquidation: pnl ? r2(pnl.netLiquidation) : null,
      netLiquidationHigh: pnl ? r2(pnl.netLiquidationHigh) : null,
      sessionStart: pnl ? new Date(pnl.sessionStart).toISOString() : null,
      room,
      breaches,
      summary: summarize(account, rules, locked, pnl, room),
    };
  }

  // ───────────────────────── (a) the guard step ─────────────────────────

  /**
   * The risk-rules step of the guarded path: throws a Refusal when the action adds risk the
   * account's rules or lock forbid. Synchronous, like the grant limits it runs beside: the exposure
   * it reads includes every order in flight or waiting for the person, so two parallel orders
   * cannot both pass a contract limit that only one fits.
   */
  checkRiskRules(account: string, effect: OrderEffect): void {
    if (!RISK_KINDS.has(effect.kind) || effect.reduceOnly) return;
    const contract = effect.instrument;
    const exp = contract ? this.deps.exposure(account, contract) : { position: 0, buys: 0, sells: 0 };
    // Closing or reducing: opposite the position and no larger than it. Always passes.
    if (effect.kind !== 'reverse' && exp.position !== 0 && Math.sign(effect.fill) === -Math.sign(exp.position) && Math.abs(effect.fill) <= Math.abs(exp.position)) return;
    if (effect.kind === 'modify' && effect.fill === 0 && effect.qty === 0) return;
    const tail = 'Closing or reducing orders, cancels and flatten still work; only the person at the desktop can change the rules.';
    const lock = this.lockOf(account);
    if (lock) {
      throw new Refusal('account_locked', `Refused: ${account} is locked by its risk rules until the next session (${lock.untilEt}) — ${lock.reason}. ${tail}`, { until: lock.until });
    }
    const rules = this.rulesOf(account);
    if (!rules) return;
    const now = this.deps.now();
    if (rules.tradingHours && !insideWindow(rules.tradingHours, now)) {
      throw new Refusal(
        'risk_outside_hours',
        `Refused by ${account}'s risk rules: new risk only between ${rules.tradingHours.start} and ${rules.tradingHours.end} ET; it is ${formatEt(now)}. ${tail}`,
      );
    }
    const b = this.breaches(account, rules)[0];
    if (b) throw new Refusal(b.code, `Refused: ${b.message}. New risk is refused until the P&L recovers or the next session starts (${formatEt(sessionOf(now).nextStart)}). ${tail}`);
    if (!contract) return;
    const root = rootOfContract(contract) ?? contract;
    const before = exp.position + (effect.dir > 0 ? exp.buys : -exp.sells);
    const after = before + effect.qty;
    const grows = effect.kind === 'modify' ? true : Math.abs(after) > Math.abs(before);
    if (rules.maxContractsPerInstrument !== null && grows && Math.abs(after) > rules.maxContractsPerInstrument) {
      const room = Math.max(0, rules.maxContractsPerInstrument - Math.abs(before));
      throw new Refusal(
        'risk_max_contracts',
        `Refused by ${account}'s risk rules: max ${rules.maxContractsPerInstrument} contracts per instrument; this could take ${root} (all months, working and pending orders included) from ${Math.abs(before)} to ${Math.abs(after)}, room left ${room}. ${tail}`,
      );
    }
    if (rules.maxContractsTotal !== null) {
      let others = 0;
      const seen = new Set([root]);
      for (const c of this.deps.contracts(account)) {
        const r = rootOfContract(c) ?? c;
        if (seen.has(r)) continue;
        seen.add(r);
        others += worst(this.deps.exposure(account, c));
      }
      const totalBefore = others + Math.abs(before);
      const totalAfter = others + Math.abs(after);
      if (grows && totalAfter > rules.maxContractsTotal) {
        throw new Refusal(
          'risk_max_contracts',
          `Refused by ${account}'s risk rules: max ${rules.maxContractsTotal} contracts in total; this could take the account from ${totalBefore} to ${totalAfter} contracts (working and pending orders included), room left ${Math.max(0, rules.maxContractsTotal - totalBefore)}. ${tail}`,
        );
      }
    }
  }

  // ───────────────────────── (b) the watcher ─────────────────────────

  /** Called on every account / position change of the link. Cheap unless a rule is broken. */
  onAccountChange(account: string): void {
    if (this.rules.has(account) || this.locks.has(account)) this.evaluate(account);
  }

  /** Time-based rules, lock expiry and flatten retries: every account with rules or a lock. */
  sweep(): void {
    for (const account of new Set([...this.rules.keys(), ...this.locks.keys()])) this.evaluate(account);
  }

  /** Acts on a breach: notifies once; with flatten_and_lock, locks and flattens (and retries a failed flatten). */
  evaluate(account: string): void {
    const rules = this.rulesOf(account);
    const lock = this.lockOf(account);
    const mirror = this.deps.mirror();
    const holding = mirror.positions(account).some((p) => p.marketPosition !== 'Flat');
    if (lock) {
      // Locked and still holding (a flatten that failed, or a position opened at NinjaTrader): flatten again, at most every few seconds.
      if (holding && rules?.onBreach === 'flatten_and_lock') this.flattenFor(account, `${account} is locked (${lock.reason})`);
      return;
    }
    if (!rules) return;
    const now = this.deps.now();
    const found = this.breaches(account, rules);
    if (rules.tradingHours && holding && !insideWindow(rules.tradingHours, now) && rules.onBreach === 'flatten_and_lock') {
      found.push({ code: 'risk_outside_hours', message: `Trading hours ${rules.tradingHours.start}–${rules.tradingHours.end} ET on ${account}: a position is held at ${formatEt(now)}` });
    }
    const b = found[0];
    if (!b) return;
    const session = sessionOf(now);
    if (rules.onBreach === 'refuse') {
      const key = `${account}|${b.code}|${session.start}`;
      if (this.told.has(key)) return;
      this.told.add(key);
      this.deps.audit.record({ kind: 'trade', event: 'risk.breach', outcome: 'refused', detail: `${b.message}. New risk is refused (onBreach: refuse).` });
      this.deps.activity('risk', `Risk rule broken: ${b.message}. New risk is refused.`, account);
      this.deps.bus.emit({ type: 'risk.breach', account, code: b.code, message: `${b.message}. New risk is refused.`, action: 'refuse', at: new Date(now).toISOString() });
      return;
    }
    const until = session.nextStart;
    this.locks.set(account, { code: b.code, reason: b.message, lockedAt: now, until });
    this.s.putLock.run(account, b.code, b.message, now, until);
    const what = `${b.message}. ${account} is ${holding ? 'being flattened and ' : ''}locked until the next session (${formatEt(until)}).`;
    this.deps.audit.record({ kind: 'trade', event: 'risk.breach', outcome: 'refused', detail: what });
    this.deps.activity('risk', `Risk rule broken: ${what}`, account);
    this.deps.bus.emit({ type: 'risk.breach', account, code: b.code, message: what, action: 'flatten_and_lock', at: new Date(now).toISOString() });
    this.deps.bus.emit({ type: 'risk.changed', account });
    if (holding) this.flattenFor(account, b.message);
  }

  private flattenFor(account: string, why: string): void {
    if (this.flattening.has(account)) return;
    const retry = this.retryAfter.get(account);
    if (retry !== undefined && performance.now() < retry) return;
    this.flattening.add(account);
    void this.deps
      .flatten(account, why)
      .catch(() => {
        /* audited by the flatten path; retried by the sweep */
      })
      .finally(() => {
        this.flattening.delete(account);
        this.retryAfter.set(account, performance.now() + 5000);
      });
  }
}

/** "daily loss $500, trailing drawdown $1,000, max 3 per instrument, 5 in total, hours 09:30–15:45 ET, flatten and lock" */
export function describeRules(r: RiskRules | null): string {
  if (!r) return 'no rules';
  const parts: string[] = [];
  if (r.dailyLossLimit !== null) parts.push(`daily loss ${whole(r.dailyLossLimit)}`);
  if (r.trailingDrawdown !== null) parts.push(`trailing drawdown ${whole(r.trailingDrawdown)}`);
  if (r.maxContractsPerInstrument !== null) parts.push(`max ${r.maxContractsPerInstrument} contracts per instrument`);
  if (r.maxContractsTotal !== null) parts.push(`max ${r.maxContractsTotal} contracts in total`);
  if (r.tradingHours) parts.push(`hours ${r.tradingHours.start}–${r.tradingHours.end} ET`);
  parts.push(r.onBreach === 'flatten_and_lock' ? 'on breach flatten and lock until the next session' : 'on breach refuse new risk');
  return parts.join(', ');
}

function summarize(
  account: string,
  rules: RiskRules | null,
  locked: RiskLock | null,
  pnl: { pnl: number; netLiquidation: number; netLiquidationHigh: number } | null,
  room: RiskAccountState['room'],
): string {
  const s: string[] = [];
  if (locked) s.push(`LOCKED until ${locked.untilEt} (${locked.reason}): new risk is refused.`);
  if (!rules) return `${account}: ${s.length ? s.join(' ') : 'no risk rules set.'}`;
  if (rules.dailyLossLimit !== null) {
    s.push(pnl ? `Daily loss limit ${whole(rules.dailyLossLimit)}: today's P&L is ${money(pnl.pnl)}, room left ${money(room.dailyLoss ?? 0)}.` : `Daily loss limit ${whole(rules.dailyLossLimit)}.`);
  }
  if (rules.trailingDrawdown !== null) {
    s.push(
      pnl
        ? `Trailing drawdown ${whole(rules.trailingDrawdown)}: net liquidation ${money(pnl.netLiquidation)}, session high ${money(pnl.netLiquidationHigh)}, room left ${money(room.trailingDrawdown ?? 0)}.`
        : `Trailing drawdown ${whole(rules.trailingDrawdown)}.`,
    );
  }
  if (rules.maxContractsPerInstrument !== null) s.push(`Max ${rules.maxContractsPerInstrument} contracts per instrument.`);
  if (rules.maxContractsTotal !== null) s.push(`Max ${rules.maxContractsTotal} contracts in total, room left ${room.contractsTotal ?? rules.maxContractsTotal}.`);
  if (rules.tradingHours) s.push(`New risk only ${rules.tradingHours.start}–${rules.tradingHours.end} ET (${room.insideHours ? 'inside the window now' : 'outside the window now'}).`);
  s.push(rules.onBreach === 'flatten_and_lock' ? 'On a breach the account is flattened and locked until the next session.' : 'On a breach new risk is refused.');
  return `${account}: ${s.join(' ')}`;
}
