// The dashboard's Trading view, server side (issue 11): per account the positions, working orders
// (with the MCP client, ATM or bracket that placed them), this session's executions and the
// session's P&L against its high-water mark (src/trading/watermarks.ts), plus the live
// `trading.account` events and the P&L samples the chart starts from. And the person's Flatten
// buttons: they act as the person at the desktop — no confirmation prompt, but never past the
// market calendar or a link that is down.
import type { AuditLog } from '../audit/audit.ts';
import type { EventBus } from '../events.ts';
import { marketHours, sessionOf, type MarketHours } from '../market/calendar.ts';
import { rootOfContract } from '../ninjatrader/instruments.ts';
import type { AddonLink } from '../ninjatrader/link.ts';
import type { DomainEvent, Execution, Order } from '../ninjatrader/protocol.ts';
import type { DB } from '../store/db.ts';
import { Refusal } from '../trading/refusal.ts';
import { clientTag, type Trading } from '../trading/trading.ts';
import { orderSummary } from '../trading/types.ts';
import { displaySafe } from '../util/display-safe.ts';
import type { DeskAccount, DeskExecution, DeskOrder, DeskPlacedBy, FlattenBody, FlattenResult, PnlPoint, TradingDesk } from './contract.ts';

/** The person's desktop flatten, as the trading service carries it out (audited with `by`). */
export type DesktopFlatten = (target: { account: string; instruments?: string[] } | { accounts: string[] }, by: string) => Promise<{ orderIds: string[]; message: string }>;

export interface DeskDeps {
  db: DB;
  bus: EventBus;
  audit: AuditLog;
  link: AddonLink;
  trading: Trading;
  now: () => number;
  /** The market hours behind the link (the CME calendar, or the simulator's 24x7). */
  hours: MarketHours;
  /** The trading service's flatten path for the person (src/trading). */
  flatten: DesktopFlatten;
  /** How often a changed account is sent at most (ms). */
  throttleMs?: number;
}

const WIRE = /^mcp:([0-9a-f]{12}):(.+)$/;
const MAX_EXECUTIONS = 500;
const MAX_ORDERS = 500;
const MAX_POINTS = 20_000;

export class Desk {
  private readonly dirty = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly series = new Map<string, { session: number; points: PnlPoint[] }>();
  private tags = new Map<string, { id: string; name: string }>();
  private tagsRead = -Infinity;
  private readonly clientsStmt;
  private readonly offs: (() => void)[] = [];
  private readonly hours;

  constructor(private readonly deps: DeskDeps) {
    this.clientsStmt = deps.db.prepare('SELECT id, name FROM clients');
    this.hours = marketHours(deps.hours);
    this.delay = deps.throttleMs ?? 250;
    const link = deps.link;
    const onEvent = (ev: DomainEvent) => {
      // Quotes move P&L only through the position and account events that follow them.
      if (ev.kind === 'quote' || ev.kind === 'connection') return;
      const account = ev.kind === 'account' ? ev.account.name : ev.kind === 'order' ? ev.order.account : ev.kind === 'position' ? ev.position.account : ev.execution.account;
      this.mark(account);
    };
    const onAll = () => {
      for (const a of link.mirror.accounts()) this.mark(a.name);
    };
    link.on('event', onEvent);
    link.on('snapshot', onAll);
    link.on('state', onAll);
    this.offs.push(
      () => link.off('event', onEvent),
      () => link.off('snapshot', onAll),
      () => link.off('state', onAll),
    );
  }

  close(): void {
    for (const off of this.offs) off();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private mark(account: string): void {
    this.dirty.add(account);
    this.timer ??= setTimeout(() => this.flush(), this.delay);
  }

  /** Until the next flush: the throttle, or 20× what the last flush cost (an add-on flood stays ≤ 5 % of the loop). */
  private delay = 0;

  private flush(): void {
    const started = performance.now();
    this.timer = null;
    const names = [...this.dirty];
    this.dirty.clear();
    const stale = this.stale();
    for (const name of names) {
      const account = this.account(name);
      if (!account) continue;
      const point = this.sample(account);
      this.deps.bus.emit({ type: 'trading.account', account, point, stale });
    }
    this.delay = Math.max(this.deps.throttleMs ?? 250, Math.min(5_000, 20 * (performance.now() - started)));
  }

  private stale(): boolean {
    return this.deps.link.mirror.stale || this.deps.link.state().status !== 'connected';
  }

  /** Appends the account's P&L now to its session series (one point a second: a newer one replaces it). */
  private sample(a: DeskAccount): PnlPoint {
    const t = this.deps.now();
    const session = Date.parse(a.sessionStart);
    let s = this.series.get(a.name);
    if (!s || s.session !== session) {
      s = { session, points: [] };
      this.series.set(a.name, s);
    }
    const point: PnlPoint = { time: new Date(Math.floor(t / 1000) * 1000).toISOString(), pnl: a.pnl, high: a.pnlHigh };
    const last = s.points[s.points.length - 1];
    if (last && last.time >= point.time) s.points[s.points.length - 1] = { ...point, time: last.time };
    else s.points.push(point);
    // A long session at a point a second: keep the shape, thin the oldest half.
    if (s.points.length > MAX_POINTS) s.points = [...s.points.slice(0, MAX_POINTS / 2).filter((_, i) => i % 2 === 0), ...s.points.slice(MAX_POINTS / 2)];
    return last && last.time >= point.time ? { ...point, time: last.time } : point;
  }

  /** GET /trading: every account as it is now, and each session's P&L samples so far. */
  snapshot(): TradingDesk {
    const accounts: DeskAccount[] = [];
    const series: Record<string, PnlPoint[]> = {};
    for (const a of this.deps.link.mirror.accounts()) {
      const acct = this.account(a.name);
      if (!acct) continue;
      this.sample(acct);
      accounts.push(acct);
      series[a.name] = [...(this.series.get(a.name)?.points ?? [])];
    }
    return { accounts, series, stale: this.stale(), simulated: this.deps.link.state().simulated };
  }

  private account(name: string): DeskAccount | null {
    const mirror = this.deps.link.mirror;
    const a = mirror.account(name);
    if (!a) return null;
    const w = this.deps.trading.watermarks.get(mirror, [name])[0];
    const session = sessionOf(this.deps.now()).start;
    const pnl = w?.pnl ?? 0;
    const high = w ? Math.max(w.pnlHigh, w.pnl) : 0;
    const executions = mirror
      .executions(name)
      .filter((e) => Date.parse(e.time) >= session)
      .sort((x, y) => (x.time < y.time ? 1 : x.time > y.time ? -1 : 0))
      .slice(0, MAX_EXECUTIONS)
      .map((e) => this.execution(e));
    return {
      name,
      displayName: displaySafe(a.displayName ?? name),
      currency: a.currency,
      simulated: a.simulated,
      netLiquidation: a.items.netLiquidation,
      realizedPnL: a.items.realizedPnL,
      unrealizedPnL: a.items.unrealizedPnL,
      sessionStart: w?.sessionStart ?? new Date(session).toISOString(),
      pnl,
      pnlHigh: high,
      drawdown: Math.round((high - pnl) * 100) / 100,
      positions: mirror
        .positions(name)
        .filter((p) => p.marketPosition !== 'Flat' && p.quantity > 0)
        .sort((x, y) => x.instrument.localeCompare(y.instrument))
        .map((p) => ({ instrument: p.instrument, side: p.marketPosition, quantity: p.quantity, averagePrice: p.averagePrice, unrealizedPnL: p.unrealizedPnL })),
      orders: mirror
        .orders(name, { working: true })
        .sort((x, y) => (x.time < y.time ? -1 : x.time > y.time ? 1 : 0))
        .slice(0, MAX_ORDERS)
        .map((o) => this.order(o)),
      executions,
    };
  }

  /** Who an order name belongs to: an MCP client by its tag, else NinjaTrader (manual, ATM, "Close position"). */
  placedBy(name: string | null | undefined): DeskPlacedBy {
    const m = WIRE.exec(name ?? '');
    if (!m) return { kind: 'ninjatrader', clientId: null, label: name ? `NinjaTrader (“${displaySafe(name)}”)` : 'NinjaTrader', clientOrderId: null };
    let c = this.tags.get(m[1]!);
    // A tag not seen yet: a client registered since; re-read the clients at most once a second.
    if (!c && performance.now() - this.tagsRead > 1000) {
      this.tagsRead = performance.now();
      this.tags = new Map((this.clientsStmt.all() as { id: string; name: string }[]).map((r) => [clientTag(r.id), r]));
      c = this.tags.get(m[1]!);
    }
    return { kind: 'mcp', clientId: c?.id ?? null, label: c ? displaySafe(c.name) : 'an unknown MCP client', clientOrderId: m[2]! };
  }

  private order(o: Order): DeskOrder {
    // ATM and bracket children carry `atm` and `bracketOf` (their entry's name) when the link reports them.
    const atm = o.atm ? displaySafe(o.atm) : null;
    const parentName = o.bracketOf || null;
    const { placedBy, parent } = this.placedByOrEntry(o.name, parentName);
    const parentWords = parent ? (parent.kind === 'mcp' ? `${parent.label}'s ${parent.clientOrderId}` : parent.label) : null;
    const role = atm ? `ATM “${atm}”${parentWords ? ` child of ${parentWords}` : ''}` : parentWords ? `Bracket child of ${parentWords}` : null;
    return {
      ...orderSummary(o),
      name: displaySafe(o.name),
      placedBy,
      atm,
      parentName: parentName ? displaySafe(parentName) : null,
      role,
    };
  }

  private execution(e: Execution): DeskExecution {
    return {
      executionId: e.executionId,
      orderId: e.orderId,
      instrument: e.instrument,
      action: e.action,
      quantity: e.quantity,
      price: e.price,
      time: e.time,
      commission: e.commission,
      // A bracket's or ATM's exit fill belongs to its entry's client, like its order.
      placedBy: this.placedByOrEntry(e.orderName, e.orderId ? (this.deps.link.mirror.orderById(e.account, e.orderId)?.bracketOf ?? null) : null).placedBy,
    };
  }

  /** Who placed an order named `name`; a child (an exit with `entryName`) is placed on behalf of its entry's MCP client. */
  private placedByOrEntry(name: string | null, entryName: string | null): { placedBy: DeskPlacedBy; parent: DeskPlacedBy | null } {
    const own = this.placedBy(name);
    const parent = entryName ? this.placedBy(entryName) : null;
    return { placedBy: own.kind === 'ninjatrader' && parent?.kind === 'mcp' ? parent : own, parent };
  }

  /**
   * The person's Flatten button. No confirmation prompt (the person is the one asking), but the
   * link must be up and the market open for every position it would close: a closed market is
   * refused here with the calendar's sentence, before anything is sent. Audited as `by`.
   */
  async flatten(body: FlattenBody, by: string): Promise<FlattenResult> {
    const mirror = this.deps.link.mirror;
    const simulated = this.deps.link.state().simulated;
    const accounts = body.what === 'everything' ? mirror.accounts().map((a) => a.name) : [body.account];
    const refuse = (code: string, message: string): never => {
      this.deps.audit.record({ kind: 'trade', event: 'trade.flatten', outcome: 'refused', args: body, detail: `${by}: ${code}: ${message}` });
      throw new Refusal(code, message);
    };
    for (const a of accounts) if (!mirror.account(a)) refuse('unknown_account', `NinjaTrader does not report an account "${a}" right now.`);
    if (this.stale()) {
      refuse('addon_disconnected', 'Not flattened: NinjaTrader is not connected, so nothing can be sent. Connect NinjaTrader (the add-on) and try again — or flatten in NinjaTrader itself.');
    }
    // What it would close: positions (and working orders, which flatten cancels).
    const held = (a: string) =>
      [...mirror.positions(a).filter((p) => p.marketPosition !== 'Flat' && p.quantity > 0).map((p) => p.instrument), ...mirror.orders(a, { working: true }).map((o) => o.instrument)].filter(
        (i) => body.what !== 'position' || i === body.instrument,
      );
    const targets = accounts.map((a) => ({ account: a, instruments: [...new Set(held(a))].sort() })).filter((t) => t.instruments.length > 0);
    if (targets.length === 0) {
      const what = body.what === 'position' ? `no ${body.instrument} position or working order on ${body.account}` : body.what === 'account' ? `no position or working order on ${body.account}` : 'no position or working order on any account';
      this.deps.audit.record({ kind: 'trade', event: 'trade.flatten', outcome: 'ok', args: body, detail: `${by}: nothing to flatten (${what})` });
      return { status: 'nothing_to_flatten', message: `Nothing to flatten: ${what}.`, orderIds: [], simulated };
    }
    const now = this.deps.now();
    for (const t of targets) {
      for (const i of t.instruments) {
        const closed = this.hours.describeClosed(rootOfContract(i) ?? i, now);
        if (closed) refuse('market_closed', `Not flattened: ${closed} ${i} on ${t.account} cannot be closed with a market order while the market is closed; nothing was sent. Flatten it when the market reopens, or work an order in NinjaTrader.`);
      }
    }
    try {
      const r = await this.deps.flatten(
        body.what === 'everything' ? { accounts: targets.map((t) => t.account) } : body.what === 'position' ? { account: body.account, instruments: [body.instrument] } : { account: body.account },
        by,
      );
      return { status: 'flatten_submitted', message: r.message, orderIds: r.orderIds, simulated };
    } finally {
      for (const a of accounts) this.mark(a);
    }
  }
}
