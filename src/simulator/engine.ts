// The built-in NT8 simulator: deterministic and pure (no timers, no clock: every method takes the
// time it runs at). It owns accounts Sim101/Sim102, the six instruments' front-month contracts,
// orders, executions and positions, and answers the add-on protocol's requests (1.1). Each
// mutating call returns the domain events it caused, in order; the simulator add-on streams them.
//
// Order states, as NT8 reports them (every transition is an `order` event):
// - placed: Submitted → Accepted, then
//   - Market / Limit: Working, then PartFilled (each partial fill) and Filled;
//   - StopMarket / StopLimit: stay Accepted (a broker-held stop: NT8 shows those as Accepted) until
//     triggered, then Working → (PartFilled) → Filled;
//   - MIT: TriggerPending (CME Globex has no market-if-touched order, so NT8 holds it and watches the
//     price itself; the help guide defines TriggerPending as an order held locally on the PC), then
//     Working → Filled once touched.
// - cancel (asked for: cancelOrder, cancelAllOrders, flatten, an OCO sibling): CancelPending →
//   CancelSubmitted → Cancelled.
// - change: ChangePending → ChangeSubmitted → back to Accepted (untriggered stop), TriggerPending
//   (untriggered MIT), PartFilled (partly filled) or Working; a changed limit that is now
//   marketable fills at once.
// - expiry (nobody asked: a Day order at the session close, a Gtd order at its gtdDate, the rest
//   of an Ioc order, an order in a contract that expires): Cancelled directly, with the reason in
//   `error`.
// - Suspended: the simulator never produces it. NT8's help guide ("Order State Definitions")
//   defines it as an order held by the broker, ready to be submitted when triggered; the
//   simulator's broker-held stops show Accepted instead, as NT8 shows stops resting at the broker
//   for CME futures. (The add-on passes Suspended on when a real broker reports it.)
//
// Fill rules (documented for the tests and the docs):
// - Market (and a triggered StopMarket or MIT): fills whole at once at the ask (buy) or the bid
//   (sell): a market order sweeps the book.
// - Limit (and a triggered StopLimit): marketable on entry (buy: ask <= limit; sell: bid >= limit)
//   → fills at the ask / bid (the limit or better); resting, fills at the limit once the market
//   reaches it. Either way at most the size displayed on the other side (askSize for a buy,
//   bidSize for a sell) fills per quote: the rest stays PartFilled and takes the next quotes'
//   sizes, in order of arrival. Displayed sizes are at least 10 (market.ts), so an order of up to
//   10 contracts always fills whole.
// - StopMarket / StopLimit trigger when the last trade reaches the stop (buy: last >= stop; sell:
//   last <= stop); MIT when it touches the trigger (buy: last <= price; sell: last >= price).
// - A buy stop must be above the last price, a sell stop below it; a buy MIT below, a sell MIT
//   above; else the order is rejected.
// - Time in force: Day ends at the session close (17:00 America/New_York, or a holiday's early
//   close; src/market/calendar.ts), checked by the first call after it; Gtc stays; Gtd expires at
//   its gtdDate (an instant, by the engine's clock); Ioc fills what it can at once and cancels the
//   rest (Market and Limit only; refused while the market is closed); Opg is refused: CME futures
//   have no opening-only orders in NT8's simulator.
// - OCO: when one order of a group fills or is cancelled, the others are cancelled; the OCO id
//   cannot be reused afterwards.
// - Orders are de-duplicated on (account, name): placing an order whose name already exists on the
//   account returns the existing order and does nothing else.
// - Contracts follow the calendar, not the start-up date (src/market/contracts.ts): each root's
//   front month at the engine's current time, plus any earlier month rolled away from but not yet
//   expired (both months trade in roll week). Further months are "not available in the
//   simulator". Working orders in a contract are cancelled when it expires; positions held at
//   expiry stay (a simplification: no settlement).
// - Market hours (`hours`, default 'cme'): while CME Globex is closed for a root, its quotes do
//   not move and nothing fills; limit and stop orders are accepted and rest (Working / Accepted)
//   until the market reopens; market orders, flatten and reverse are rejected
//   with `market_closed` and a sentence saying when the market reopens (our choice: NT8's Sim101
//   would hold a market order until the first tick of the next session, a surprise fill at the
//   reopening price that an AI client should not walk into unannounced). '24x7' trades around
//   the clock like NT8's Simulated Data Feed.
// - At each session start (18:00 ET) the accounts' realized P&L (and commissions) restart from
//   zero, as NT8 resets session values; the cash value keeps the running total. Quotes' daily
//   high/low/volume restart and the settlement becomes the previous session's last (market.ts).
// - Quotes stream for subscribed contracts: all of them from the start (NT8's simulated feed);
//   unsubscribeQuotes stops a contract's quote events unless an account holds a position or a
//   live order in it. Bars: history.ts.
import type {
  AtmTemplate, BracketLeg, Account, Bar, ConnectionInfo, DomainEvent, Execution, Order, OrderAction, OrderState, ParamsOf,
  Quote, RequestMethod, ResultOf, SnapshotState, ErrorCode,
} from '../ninjatrader/protocol.ts';
import { actionSign, describeIssues, isTerminal, methods } from '../ninjatrader/protocol.ts';
import type { Root } from '../ninjatrader/instruments.ts';
import { formatPrice, isOnTick, resolveInstrument, ROOTS } from '../ninjatrader/instruments.ts';
import { InstrumentMarket } from './market.ts';
import type { AccountState } from './ledger.ts';
import {
  accountEntity, applyFill, COMMISSION_PER_CONTRACT, newAccount, positionEntity, resetSession, revalue, SIM_CONNECTION,
} from './ledger.ts';
import { BarsError, findTemplate, historicalBars } from './history.ts';
import { findAtmTemplate, SIM_ATM_TEMPLATES, splitQuantity } from './atm.ts';
import { activeContracts, expiryOf, rollOf } from '../market/contracts.ts';
import { marketHours, nextClose, sessionOf, type MarketHours } from '../market/calendar.ts';
import { contractName, INSTRUMENTS } from '../ninjatrader/instruments.ts';

export interface EngineOptions {
  /** Start time (ms since epoch): the first contracts and quote stamps; time then moves with each call. */
  startTime: number;
  /** 'cme' (default): the real CME Globex calendar; '24x7': around the clock. */
  hours?: MarketHours;
  seed?: number;
  /** Account names (default Sim101, Sim102), or { name, displayName } for a prop-style account. */
  accounts?: (string | { name: string; displayName?: string })[];
  startingCash?: number;
}

/** The side of an order the simulator created itself (its action is always a known one). */
function sideOf(o: Order): 1 | -1 {
  return actionSign(o.action as OrderAction);
}

const STOP_TYPES = new Set(['StopMarket', 'StopLimit']);

export interface EngineError {
  code: ErrorCode;
  message: string;
}
export type EngineResult<M extends RequestMethod> =
  | { ok: true; result: ResultOf<M>; events: DomainEvent[] }
  | { ok: false; error: EngineError; events: DomainEvent[] };

/** One stop/target pair of a managed entry (a bracket has one; an ATM template one per target). */
interface ExitLeg {
  /** The leg's share of the entry in the template's ratio. */
  share: number;
  stop: BracketLeg | null;
  target: BracketLeg | null;
  /** The OCO id binding this leg's stop and target. */
  oco: string;
  stopOrder: Order | null;
  targetOrder: Order | null;
  /** Prices fixed at the entry's first fill. */
  stopPrice: number | null;
  targetPrice: number | null;
}
/** An entry whose exits the simulator manages: a bracket (stopLoss / takeProfit) or an ATM strategy. */
interface Managed {
  entry: Order;
  /** +1 for a long entry, -1 for a short. */
  side: 1 | -1;
  atm: AtmTemplate | null;
  legs: ExitLeg[];
  breakevenDone: boolean;
}

class Reject extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
  }
}

export class SimEngine {
  readonly seed: number;
  private now: number;
  private readonly accountsByName = new Map<string, AccountState>();
  private readonly markets = new Map<string, InstrumentMarket>();
  private readonly marketList: InstrumentMarket[] = [];
  private readonly orderMap = new Map<string, Order>();
  /** `${account}\u0000${name}` → orderId, for de-duplication by client order id. */
  private readonly orderByName = new Map<string, string>();
  /** contract → orders that are not terminal */
  private readonly working = new Map<string, Set<Order>>();
  private readonly executions: Execution[] = [];
  private readonly closedOco = new Set<string>();
  /** Stop and MIT orders not yet triggered. */
  private readonly untriggered = new Set<Order>();
  /** Live Gtd orders → their expiry instant. */
  private readonly gtd = new Map<Order, number>();
  /** Contracts whose quotes stream. */
  private readonly subscribed = new Set<string>();
  /** Entries with a bracket or ATM strategy → their exits; and each exit order → its entry's record. */
  private readonly managed = new Map<Order, Managed>();
  private readonly childOf = new Map<Order, { mg: Managed; leg: ExitLeg }>();
  private nextOrder = 1;
  private nextExecution = 1;
  private sessionEnd: number;
  private sessionStart: number;
  /** Next instant at which a contract rolls or expires: the quoted set is recomputed then. */
  private contractsValidUntil = -Infinity;
  private readonly hours: ReturnType<typeof marketHours>;
  /** Events produced by the current call. */
  private out: DomainEvent[] = [];

  constructor(opts: EngineOptions) {
    this.seed = (opts.seed ?? 1) >>> 0;
    this.now = opts.startTime;
    this.hours = marketHours(opts.hours ?? 'cme');
    this.sessionEnd = nextClose('ES', this.now);
    this.sessionStart = sessionOf(this.now).start;
    for (const a of opts.accounts ?? ['Sim101', 'Sim102']) {
      const { name, displayName } = typeof a === 'string' ? { name: a, displayName: a } : a;
      this.accountsByName.set(name, newAccount(name, opts.startingCash ?? 100_000, displayName ?? name));
    }
    this.syncContracts();
  }

  /**
   * Brings the quoted contracts in line with the calendar at `this.now`: adds a root's new front
   * month (starting from the price of the month it replaces), drops expired months from the quote
   * stream and cancels their working orders. Cheap between rolls: it runs only when one is due.
   */
  private syncContracts(): void {
    if (this.now < this.contractsValidUntil) return;
    let until = Infinity;
    const quoted: InstrumentMarket[] = [];
    for (const root of ROOTS) {
      const active = activeContracts(root, this.now);
      until = Math.min(until, rollOf(root, active[0]!), ...active.map((c) => expiryOf(root, c)));
      for (const c of active) {
        const name = contractName(root, c.year, c.month);
        let m = this.markets.get(name);
        if (!m) {
          const previous = this.marketList.find((x) => x.spec.root === root);
          m = new InstrumentMarket(name, INSTRUMENTS[root], this.seed, this.now, previous?.quote.last);
          this.markets.set(name, m);
          this.working.set(name, new Set());
          this.subscribed.add(name); // the simulated feed follows the new front month
        }
        quoted.push(m);
      }
    }
    for (const m of this.marketList) {
      if (quoted.includes(m)) continue;
      // Expired: the exchange cancels what still rests in it.
      for (const o of [...this.working.get(m.contract)!]) {
        if (!isTerminal(o.state)) this.expire(o, `Cancelled by the exchange: ${m.contract} expired.`);
      }
      this.subscribed.delete(m.contract);
    }
    this.marketList.splice(0, this.marketList.length, ...quoted);
    this.contractsValidUntil = until;
  }

  /** Session bookkeeping as time passes: Day orders end at the close, session P&L restarts at the open. */
  private advanceSession(): void {
    if (this.gtd.size > 0) {
      for (const [o, until] of [...this.gtd]) {
        if (this.now >= until && !isTerminal(o.state)) {
          this.expire(o, `Expired: its good-till-date ${new Date(until).toISOString()} was reached.`);
        }
      }
    }
    if (this.now >= this.sessionEnd) {
      for (const set of this.working.values()) {
        for (const o of [...set]) {
          if (o.timeInForce === 'Day' && !isTerminal(o.state)) this.expire(o, 'Expired: a Day order ends at the session close.');
        }
      }
      this.sessionEnd = nextClose('ES', this.now);
    }
    for (const m of this.marketList) m.rollSession(this.now);
    const start = sessionOf(this.now).start;
    if (start !== this.sessionStart) {
      this.sessionStart = start;
      for (const acct of this.accountsByName.values()) {
        resetSession(acct);
        revalue(acct, this.lastOf);
        this.out.push({ kind: 'account', account: accountEntity(acct) });
      }
    }
  }

  /** Null when `m` trades now, else the sentence saying when it reopens. */
  private closedReason(m: InstrumentMarket): string | null {
    return this.hours.describeClosed(m.spec.root, this.now);
  }

  // ---------------------------------------------------------------- market data

  /** The tradable contract names ("ES 12-26", …). */
  contracts(): string[] {
    return this.marketList.map((m) => m.contract);
  }

  /** Contract name for a root or any accepted spelling, or null. */
  contractFor(instrument: string): string | null {
    return this.findMarket(instrument)?.contract ?? null;
  }

  quote(instrument: string): Quote | null {
    const m = this.findMarket(instrument);
    return m ? { ...m.quote } : null;
  }

  /** Advance every instrument one random-walk step; returns quotes and any fills they caused. */
  tick(nowMs: number): DomainEvent[] {
    this.begin(nowMs);
    for (const m of this.marketList) {
      if (!this.hours.isOpen(m.spec.root, this.now)) continue; // closed: the quote stands still
      m.step(this.now);
      this.afterQuote(m);
    }
    return this.end();
  }

  /**
   * Tests move the market: last = bid = price, ask = price + 1 tick (unless given), displayed sizes
   * as given (else unchanged). Fills like a tick.
   */
  setQuote(instrument: string, price: number, opts: { bid?: number; ask?: number; bidSize?: number; askSize?: number; nowMs?: number } = {}): DomainEvent[] {
    const m = this.findMarket(instrument);
    if (!m) throw new Error(`unknown instrument ${instrument}`);
    this.begin(opts.nowMs);
    m.set(price, this.now, opts);
    this.afterQuote(m);
    return this.end();
  }

  // ---------------------------------------------------------------- requests

  /** Validate params and run one protocol request. Never throws for bad input. */
  handle<M extends RequestMethod>(method: M, params: unknown, nowMs?: number): EngineResult<M> {
    const schema = methods[method]?.params;
    if (!schema) {
      return { ok: false, error: { code: 'invalid_request', message: `Unknown method ${String(method)}` }, events: [] };
    }
    const parsed = schema.safeParse(params ?? {});
    if (!parsed.success) {
      return {
        ok: false,
        error: { code: 'invalid_request', message: `Invalid ${method} parameters: ${describeIssues(parsed.error)}` },
        events: [],
      };
    }
    this.begin(nowMs);
    try {
      const result = this.dispatch(method, parsed.data as ParamsOf<M>);
      return { ok: true, result, events: this.end() };
    } catch (e) {
      const events = this.end();
      if (e instanceof Reject) return { ok: false, error: { code: e.code, message: e.message }, events };
      return { ok: false, error: { code: 'internal', message: `Internal simulator error: ${(e as Error).message}` }, events };
    }
  }

  private dispatch<M extends RequestMethod>(method: M, p: ParamsOf<M>): ResultOf<M> {
    const any = p as never;
    switch (method) {
      case 'placeOrder': return this.placeOrder(any) as ResultOf<M>;
      case 'changeOrder': return this.changeOrder(any) as ResultOf<M>;
      case 'cancelOrder': return this.cancelOrder(any) as ResultOf<M>;
      case 'cancelAllOrders': return this.cancelAllOrders(any) as ResultOf<M>;
      case 'flatten': return this.flatten(any) as ResultOf<M>;
      case 'flattenEverything': return this.flattenEverything() as ResultOf<M>;
      case 'reversePosition': return this.reversePosition(any) as ResultOf<M>;
      case 'getBars': return this.getBars(any) as ResultOf<M>;
      case 'subscribeQuotes': return this.subscribeQuotes(any) as ResultOf<M>;
      case 'unsubscribeQuotes': return this.unsubscribeQuotes(any) as ResultOf<M>;
      case 'snapshot': return this.snapshot() as ResultOf<M>;
      case 'listAtmTemplates': return { templates: SIM_ATM_TEMPLATES.map((t) => structuredClone(t)) } as ResultOf<M>;
      default: throw new Reject('invalid_request', `Unknown method ${String(method)}`);
    }
  }

  snapshot(): SnapshotState {
    const positions = [];
    for (const a of this.accountsByName.values()) {
      for (const pos of a.positions.values()) positions.push(positionEntity(pos, this.lastOf(pos.instrument)));
    }
    return {
      accounts: [...this.accountsByName.values()].map(accountEntity),
      connections: this.connections(),
      positions,
      orders: [...this.orderMap.values()].map((o) => ({ ...o })),
      executions: this.executions.map((e) => ({ ...e })),
      quotes: this.marketList.filter((m) => this.streams(m.contract)).map((m) => ({ ...m.quote })),
    };
  }

  /** NT8's connections: the simulator has one, always up for orders and prices. */
  connections(): ConnectionInfo[] {
    return [{ connection: SIM_CONNECTION, status: 'Connected', priceStatus: 'Connected' }];
  }

  placeOrder(p: ParamsOf<'placeOrder'>): ResultOf<'placeOrder'> {
    const acct = this.requireAccount(p.account);
    const dupId = this.orderByName.get(`${p.account}\u0000${p.name}`);
    if (dupId !== undefined) return { order: { ...this.orderMap.get(dupId)! } };
    const m = this.requireMarket(p.instrument);
    const spec = m.spec;
    const fmt = (x: number) => formatPrice(x, spec);
    const reject = (why: string): never => {
      throw new Reject('invalid_order', `Order rejected: ${why}`);
    };
    if (!Number.isInteger(p.quantity) || p.quantity <= 0) reject(`quantity ${p.quantity} is not a positive whole number of contracts`);
    if (p.quantity > 10_000) reject(`quantity ${p.quantity} exceeds the simulator's limit of 10000 contracts`);
    const needsLimit = p.orderType === 'Limit' || p.orderType === 'StopLimit';
    const needsStop = STOP_TYPES.has(p.orderType) || p.orderType === 'MIT';
    if (needsLimit && p.limitPrice === undefined) reject(`a ${p.orderType} order needs a limit price`);
    if (!needsLimit && p.limitPrice !== undefined) reject(`a ${p.orderType} order takes no limit price`);
    if (needsStop && p.stopPrice === undefined) reject(`a ${p.orderType} order needs a ${p.orderType === 'MIT' ? 'trigger (stop) price' : 'stop price'}`);
    if (!needsStop && p.stopPrice !== undefined) reject(`a ${p.orderType} order takes no stop price`);
    for (const [label, v] of [['limit', p.limitPrice], ['stop', p.stopPrice]] as const) {
      if (v === undefined) continue;
      if (v <= 0) reject(`${label} price ${v} must be above zero`);
      if (!isOnTick(v, spec.tickSize)) reject(`${label} price ${v} is not a multiple of the tick size ${spec.tickSize} for ${m.contract}`);
    }
    const sign = actionSign(p.action);
    if (p.stopPrice !== undefined) this.checkTriggerSide(p.orderType, sign, p.stopPrice, m, fmt);
    if (p.timeInForce === 'Opg') {
      reject('time in force Opg (at the opening only) is not available for CME futures in NinjaTrader\'s simulator; use Day, Gtc, Gtd or Ioc');
    }
    if (p.timeInForce === 'Ioc' && needsStop) {
      reject(`time in force Ioc (immediate or cancel) applies to Market and Limit orders; a ${p.orderType} order waits for its trigger (use Day, Gtc or Gtd)`);
    }
    let gtdUntil: number | null = null;
    if (p.timeInForce === 'Gtd') {
      gtdUntil = Date.parse(p.gtdDate ?? '');
      if (!/^\d{4}-\d{2}-\d{2}T/.test(p.gtdDate ?? '') || Number.isNaN(gtdUntil)) reject(`gtdDate '${p.gtdDate}' is not an ISO date-time like 2026-11-06T22:00:00Z`);
      if (gtdUntil! <= this.now) reject(`gtdDate ${new Date(gtdUntil!).toISOString()} has already passed (now ${new Date(this.now).toISOString()})`);
    }
    const closedWhy = this.closedReason(m);
    if (closedWhy !== null && p.orderType === 'Market') {
      throw new Reject('market_closed', `Order rejected: ${closedWhy} A market order cannot fill while the market is closed; a limit or stop order can rest until it reopens.`);
    }
    if (closedWhy !== null && p.timeInForce === 'Ioc') {
      throw new Reject('market_closed', `Order rejected: ${closedWhy} An immediate-or-cancel order cannot fill while the market is closed.`);
    }
    if (p.ocoId !== undefined && this.closedOco.has(p.ocoId)) {
      reject(`OCO id '${p.ocoId}' was already used by an order that filled or was cancelled`);
    }
    const atm = p.atmTemplate === undefined ? null : findAtmTemplate(p.atmTemplate) ?? null;
    if (p.atmTemplate !== undefined && atm === null) {
      reject(`ATM strategy template '${p.atmTemplate}' does not exist (templates: ${SIM_ATM_TEMPLATES.map((t) => t.name).join(', ')}); nothing was placed`);
    }
    if (p.stopLoss !== undefined || p.takeProfit !== undefined) {
      // The entry's expected price: its limit (or stop) price, or the market side it takes.
      const ref = p.limitPrice ?? p.stopPrice ?? (sign > 0 ? m.quote.ask : m.quote.bid);
      const side = sign > 0 ? 'a buy (long)' : 'a sell (short)';
      for (const [label, leg, below] of [['stop loss', p.stopLoss, sign > 0], ['take profit', p.takeProfit, sign < 0]] as const) {
        if (leg?.price === undefined) continue;
        if (!isOnTick(leg.price, spec.tickSize)) reject(`the ${label} price ${leg.price} is not a multiple of the tick size ${spec.tickSize} for ${m.contract}; nothing was placed`);
        if (below ? leg.price >= ref : leg.price <= ref) {
          reject(`the ${label} ${fmt(leg.price)} is on the wrong side of the entry ${fmt(ref)} for ${side}: it must be ${below ? 'below' : 'above'} it; nothing was placed`);
        }
      }
    }

    const order: Order = {
      orderId: `ORD-${this.nextOrder++}`,
      name: p.name,
      account: acct.account.name,
      instrument: m.contract,
      action: p.action,
      orderType: p.orderType,
      timeInForce: p.timeInForce,
      gtdDate: gtdUntil === null ? null : new Date(gtdUntil).toISOString(),
      quantity: p.quantity,
      filled: 0,
      averageFillPrice: 0,
      limitPrice: p.limitPrice ?? null,
      stopPrice: p.stopPrice ?? null,
      ocoId: p.ocoId ?? null,
      state: 'Initialized',
      error: null,
      time: new Date(this.now).toISOString(),
    };
    if (atm !== null) order.atm = atm.name;
    this.orderMap.set(order.orderId, order);
    this.orderByName.set(`${order.account}\u0000${order.name}`, order.orderId);
    this.working.get(m.contract)!.add(order);
    if (gtdUntil !== null) this.gtd.set(order, gtdUntil);
    if (atm !== null || p.stopLoss !== undefined || p.takeProfit !== undefined) {
      const oco = (i: number) => `${order.orderId}-${atm ? 'ATM' : 'BRK'}${i + 1}`;
      const legs: ExitLeg[] = atm
        ? atm.targets.map((t, i) => ({
            share: t.quantity, stop: { ticks: (atm.stops[i] ?? atm.stops[atm.stops.length - 1]!).ticks }, target: { ticks: t.ticks },
            oco: oco(i), stopOrder: null, targetOrder: null, stopPrice: null, targetPrice: null,
          }))
        : [{
            share: 1, stop: p.stopLoss ?? null, target: p.takeProfit ?? null,
            oco: oco(0), stopOrder: null, targetOrder: null, stopPrice: null, targetPrice: null,
          }];
      this.managed.set(order, { entry: order, side: sign, atm, legs, breakevenDone: false });
    }
    this.transition(order, 'Submitted');
    this.transition(order, 'Accepted');
    if (needsStop) {
      this.untriggered.add(order);
      if (order.orderType === 'MIT') this.transition(order, 'TriggerPending');
    } else {
      this.transition(order, 'Working');
      this.fillIfMarketable(order, m, true);
      if (order.timeInForce === 'Ioc' && !isTerminal(order.state)) {
        this.expire(order, `Immediate-or-cancel: ${order.filled} of ${order.quantity} filled at once; the rest was cancelled.`);
      }
    }
    return { order: { ...order } };
  }

  changeOrder(p: ParamsOf<'changeOrder'>): ResultOf<'changeOrder'> {
    this.requireAccount(p.account);
    const order = this.requireOrder(p.account, p.orderId);
    if (isTerminal(order.state)) {
      throw new Reject('order_not_changeable', `Order ${order.orderId} is ${order.state} and can no longer be changed`);
    }
    const m = this.markets.get(order.instrument)!;
    const fmt = (x: number) => formatPrice(x, m.spec);
    const reject = (why: string): never => {
      throw new Reject('invalid_order', `Change rejected: ${why}`);
    };
    if (p.quantity === undefined && p.limitPrice === undefined && p.stopPrice === undefined) {
      reject('nothing to change (give quantity, limitPrice or stopPrice)');
    }
    if (p.quantity !== undefined && (!Number.isInteger(p.quantity) || p.quantity <= 0 || p.quantity > 10_000)) {
      reject(`quantity ${p.quantity} is not a positive whole number of contracts`);
    }
    if (p.quantity !== undefined && p.quantity <= order.filled) {
      reject(`quantity ${p.quantity} is not above the ${order.filled} already filled (cancel the order to stop it)`);
    }
    const hasLimit = order.orderType === 'Limit' || order.orderType === 'StopLimit';
    const hasStop = STOP_TYPES.has(order.orderType) || order.orderType === 'MIT';
    if (p.limitPrice !== undefined) {
      if (!hasLimit) reject(`a ${order.orderType} order has no limit price`);
      if (p.limitPrice <= 0 || !isOnTick(p.limitPrice, m.spec.tickSize)) {
        reject(`limit price ${p.limitPrice} is not a positive multiple of the tick size ${m.spec.tickSize}`);
      }
    }
    if (p.stopPrice !== undefined) {
      if (!hasStop) reject(`a ${order.orderType} order has no stop price`);
      if (!this.untriggered.has(order)) reject(`the ${order.orderType === 'MIT' ? 'trigger' : 'stop'} of ${order.orderId} has already triggered`);
      if (p.stopPrice <= 0 || !isOnTick(p.stopPrice, m.spec.tickSize)) {
        reject(`stop price ${p.stopPrice} is not a positive multiple of the tick size ${m.spec.tickSize}`);
      }
      this.checkTriggerSide(order.orderType, sideOf(order), p.stopPrice, m, fmt, 'Change rejected');
    }
    this.transition(order, 'ChangePending');
    this.transition(order, 'ChangeSubmitted');
    if (p.quantity !== undefined) order.quantity = p.quantity;
    if (p.limitPrice !== undefined) order.limitPrice = p.limitPrice;
    if (p.stopPrice !== undefined) order.stopPrice = p.stopPrice;
    if (this.untriggered.has(order)) this.transition(order, order.orderType === 'MIT' ? 'TriggerPending' : 'Accepted');
    else {
      this.transition(order, order.filled > 0 ? 'PartFilled' : 'Working');
      this.fillIfMarketable(order, m, true);
    }
    return { order: { ...order } };
  }

  cancelOrder(p: ParamsOf<'cancelOrder'>): ResultOf<'cancelOrder'> {
    this.requireAccount(p.account);
    const order = this.requireOrder(p.account, p.orderId);
    if (isTerminal(order.state)) {
      throw new Reject('order_not_changeable', `Order ${order.orderId} is ${order.state} and can no longer be cancelled`);
    }
    this.cancel(order);
    return { order: { ...order } };
  }

  cancelAllOrders(p: ParamsOf<'cancelAllOrders'>): ResultOf<'cancelAllOrders'> {
    this.requireAccount(p.account);
    const contract = p.instrument === undefined ? undefined : this.requireMarket(p.instrument).contract;
    return { cancelled: this.cancelWhere(p.account, contract) };
  }

  flatten(p: ParamsOf<'flatten'>): ResultOf<'flatten'> {
    const acct = this.requireAccount(p.account);
    const contract = p.instrument === undefined ? undefined : this.requireMarket(p.instrument).contract;
    for (const pos of acct.positions.values()) {
      if (contract !== undefined && pos.instrument !== contract) continue;
      const why = this.closedReason(this.markets.get(pos.instrument)!);
      if (why !== null) throw new Reject('market_closed', `Flatten rejected: ${why} ${pos.instrument} cannot be closed with a market order while the market is closed; nothing was changed.`);
    }
    this.cancelWhere(p.account, contract);
    const orders: Order[] = [];
    for (const pos of [...acct.positions.values()]) {
      if (contract !== undefined && pos.instrument !== contract) continue;
      const action: OrderAction = pos.qty > 0 ? 'Sell' : 'BuyToCover';
      orders.push(this.internalMarket(acct.account.name, pos.instrument, action, Math.abs(pos.qty), 'Close position'));
    }
    return { orders };
  }

  /** Per account and instrument, as the real add-on does it with Account.Flatten (NT8 documents no account-wide call). */
  flattenEverything(): ResultOf<'flattenEverything'> {
    const orders: Order[] = [];
    for (const name of this.accountsByName.keys()) orders.push(...this.flatten({ account: name }).orders);
    return { orders };
  }

  reversePosition(p: ParamsOf<'reversePosition'>): ResultOf<'reversePosition'> {
    const acct = this.requireAccount(p.account);
    const m = this.requireMarket(p.instrument);
    const pos = acct.positions.get(m.contract);
    if (!pos || pos.qty === 0) {
      throw new Reject('invalid_order', `Cannot reverse: ${p.account} has no position in ${m.contract}`);
    }
    const why = this.closedReason(m);
    if (why !== null) throw new Reject('market_closed', `Reverse rejected: ${why}`);
    const action: OrderAction = pos.qty > 0 ? 'Sell' : 'Buy';
    return { orders: [this.internalMarket(p.account, m.contract, action, 2 * Math.abs(pos.qty), 'Reverse position')] };
  }

  getBars(p: ParamsOf<'getBars'>): { bars: Bar[]; tradingHours: string } {
    const m = this.requireMarket(p.instrument);
    const time = (label: string, v: string | undefined): number | undefined => {
      if (v === undefined) return undefined;
      const t = Date.parse(v);
      if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(t)) {
        throw new Reject('invalid_request', `Invalid getBars parameters: ${label} '${v}' is not an ISO date-time like 2026-11-02T14:30:00Z`);
      }
      return t;
    };
    const from = time('from', p.from);
    const to = time('to', p.to);
    try {
      const template = findTemplate(p.tradingHours, m.spec.root);
      const bars = historicalBars(
        { seed: this.seed, spec: m.spec, hours: this.hours.mode, now: this.now, last: m.quote.last },
        template,
        { period: p.period, value: p.value ?? 1, count: p.count, from, to },
      );
      return { bars, tradingHours: template.name };
    } catch (e) {
      if (e instanceof BarsError) throw new Reject('invalid_request', e.message);
      throw e;
    }
  }

  subscribeQuotes(p: ParamsOf<'subscribeQuotes'>): ResultOf<'subscribeQuotes'> {
    const contracts = p.instruments.map((i) => this.requireMarket(i).contract);
    for (const c of contracts) {
      if (this.subscribed.has(c)) continue;
      this.subscribed.add(c);
      this.out.push({ kind: 'quote', quote: { ...this.markets.get(c)!.quote } }); // the current quote at once, as NT8's first MarketData update
    }
    return { subscribed: [...new Set(contracts)] };
  }

  /** Stops a contract's quote events, unless an account holds a position or a live order in it (the add-on needs those prices). */
  unsubscribeQuotes(p: ParamsOf<'unsubscribeQuotes'>): ResultOf<'unsubscribeQuotes'> {
    const contracts = p.instruments.map((i) => this.requireMarket(i).contract);
    const unsubscribed: string[] = [];
    for (const c of new Set(contracts)) {
      if (!this.subscribed.has(c) || this.inUse(c)) continue;
      this.subscribed.delete(c);
      unsubscribed.push(c);
    }
    return { unsubscribed };
  }

  private inUse(contract: string): boolean {
    if (this.working.get(contract)!.size > 0) return true;
    for (const a of this.accountsByName.values()) if (a.positions.has(contract)) return true;
    return false;
  }

  /** True when `contract`'s quotes stream (subscribed, or needed by a position or live order). */
  private streams(contract: string): boolean {
    return this.subscribed.has(contract) || this.inUse(contract);
  }

  // ---------------------------------------------------------------- internals

  private begin(nowMs: number | undefined): void {
    if (nowMs !== undefined && nowMs > this.now) this.now = nowMs;
    this.out = [];
    this.syncContracts();
    this.advanceSession();
  }

  private end(): DomainEvent[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private findMarket(instrument: string): InstrumentMarket | undefined {
    // No syncContracts here: time only moves in begin(), and events raised outside a call would be lost.
    const r = resolveInstrument(instrument, this.now);
    return r ? this.markets.get(r.contract) : undefined;
  }

  private requireMarket(instrument: string): InstrumentMarket {
    const r = resolveInstrument(instrument, this.now);
    if (!r) {
      throw new Reject('unknown_instrument', `Unknown instrument '${instrument}'. Use a root (ES, MES, NQ, MNQ, CL, GC) or a contract like ${this.marketList[0]!.contract}`);
    }
    const m = this.markets.get(r.contract);
    if (!m || !this.marketList.includes(m)) {
      const tradable = this.marketList.filter((x) => x.spec.root === r.root).map((x) => x.contract);
      throw new Reject('unknown_instrument', `Instrument '${r.contract}' is not available in the simulator; the tradable ${r.root} contract${tradable.length > 1 ? 's are' : ' is'} ${tradable.join(' and ')}`);
    }
    return m;
  }

  private requireAccount(name: string): AccountState {
    const a = this.accountsByName.get(name);
    if (!a) {
      throw new Reject('unknown_account', `Account '${name}' is not known to NinjaTrader (accounts: ${[...this.accountsByName.keys()].join(', ')})`);
    }
    return a;
  }

  /** By order id, then by name (client order id) within the account. */
  private requireOrder(account: string, idOrName: string): Order {
    let o = this.orderMap.get(idOrName);
    if (!o || o.account !== account) {
      const id = this.orderByName.get(`${account}\u0000${idOrName}`);
      o = id === undefined ? undefined : this.orderMap.get(id);
    }
    if (!o) throw new Reject('unknown_order', `Order '${idOrName}' was not found on account ${account}`);
    return o;
  }

  /** Stops sit beyond the market (buy above, sell below); MIT triggers before it (buy below, sell above). */
  private checkTriggerSide(type: string, sign: 1 | -1, stop: number, m: InstrumentMarket, fmt: (x: number) => string, prefix = 'Order rejected'): void {
    const last = m.quote.last;
    if (type === 'MIT') {
      if (sign > 0 && stop >= last) {
        throw new Reject('invalid_order', `${prefix}: trigger price ${fmt(stop)} is ${stop === last ? 'at' : 'above'} the market ${fmt(last)} for a buy MIT (it buys when the price falls to it; a buy above the market is a buy stop)`);
      }
      if (sign < 0 && stop <= last) {
        throw new Reject('invalid_order', `${prefix}: trigger price ${fmt(stop)} is ${stop === last ? 'at' : 'below'} the market ${fmt(last)} for a sell MIT (it sells when the price rises to it; a sell below the market is a sell stop)`);
      }
      return;
    }
    if (sign > 0 && stop <= last) {
      throw new Reject('invalid_order', `${prefix}: stop price ${fmt(stop)} is ${stop === last ? 'at' : 'below'} the market ${fmt(last)} for a buy stop`);
    }
    if (sign < 0 && stop >= last) {
      throw new Reject('invalid_order', `${prefix}: stop price ${fmt(stop)} is ${stop === last ? 'at' : 'above'} the market ${fmt(last)} for a sell stop`);
    }
  }

  private lastOf = (instrument: string): number => this.markets.get(instrument)?.quote.last ?? 0;

  private transition(order: Order, state: OrderState): void {
    order.state = state;
    this.out.push({ kind: 'order', order: { ...order } });
  }

  private internalMarket(account: string, contract: string, action: OrderAction, quantity: number, name: string): Order {
    const order: Order = {
      orderId: `ORD-${this.nextOrder++}`,
      name,
      account,
      instrument: contract,
      action,
      orderType: 'Market',
      timeInForce: 'Gtc',
      gtdDate: null,
      quantity,
      filled: 0,
      averageFillPrice: 0,
      limitPrice: null,
      stopPrice: null,
      ocoId: null,
      state: 'Initialized',
      error: null,
      time: new Date(this.now).toISOString(),
    };
    this.orderMap.set(order.orderId, order);
    this.working.get(contract)!.add(order);
    this.transition(order, 'Submitted');
    this.transition(order, 'Accepted');
    this.transition(order, 'Working');
    this.fillIfMarketable(order, this.markets.get(contract)!, true);
    return { ...order };
  }

  /**
   * Fill a Working / PartFilled order as far as the market allows. `entering`: the order just
   * arrived (or was changed / triggered), so a marketable limit takes the market price; a resting
   * limit fills at its limit. Limits take at most the displayed size left on the other side.
   */
  private fillIfMarketable(order: Order, m: InstrumentMarket, entering: boolean): void {
    if (this.closedReason(m) !== null) return; // nothing fills while the market is closed
    const buy = sideOf(order) > 0;
    const q = m.quote;
    const market = buy ? q.ask : q.bid;
    const remaining = order.quantity - order.filled;
    if (order.orderType === 'Market' || order.orderType === 'StopMarket' || order.orderType === 'MIT') {
      if (buy) m.askLeft = Math.max(0, m.askLeft - remaining);
      else m.bidLeft = Math.max(0, m.bidLeft - remaining);
      this.fill(order, m, remaining, market);
      return;
    }
    const limit = order.limitPrice!;
    const crossed = buy ? q.ask <= limit : q.bid >= limit;
    if (!crossed) return;
    const available = buy ? m.askLeft : m.bidLeft;
    const n = Math.min(remaining, available);
    if (n <= 0) return; // the displayed size is taken: wait for the next quote
    if (buy) m.askLeft -= n;
    else m.bidLeft -= n;
    this.fill(order, m, n, entering ? market : limit);
  }

  /** One execution of `n` contracts at `price`: PartFilled until the whole quantity is in, then Filled. */
  private fill(order: Order, m: InstrumentMarket, n: number, price: number): void {
    const acct = this.accountsByName.get(order.account)!;
    const sign = sideOf(order);
    const commission = Math.round(COMMISSION_PER_CONTRACT[m.spec.root as Root] * n * 100) / 100;
    const outcome = applyFill(acct, m.spec.root, m.contract, m.spec.pointValue, sign * n, price, commission);
    order.averageFillPrice = Number(((order.averageFillPrice * order.filled + price * n) / (order.filled + n)).toFixed(10));
    order.filled += n;
    const done = order.filled === order.quantity;
    if (done) this.retire(order);
    this.transition(order, done ? 'Filled' : 'PartFilled');
    const execution: Execution = {
      executionId: `EXE-${this.nextExecution++}`,
      orderId: order.orderId,
      orderName: order.name,
      account: order.account,
      instrument: m.contract,
      action: order.action,
      marketPosition: sign > 0 ? 'Long' : 'Short',
      quantity: n,
      price,
      time: new Date(this.now).toISOString(),
      commission,
      isEntry: outcome.isEntry,
      isExit: outcome.isExit,
    };
    this.executions.push(execution);
    this.out.push({ kind: 'execution', execution: { ...execution } });
    this.out.push({ kind: 'position', position: positionEntity(outcome.position, m.quote.last) });
    revalue(acct, this.lastOf);
    this.out.push({ kind: 'account', account: accountEntity(acct) });
    if (done) this.closeOcoGroup(order);
    const mg = this.managed.get(order);
    if (mg) this.syncExits(mg, m);
    const child = this.childOf.get(order);
    if (child && !done) {
      // A partly filled exit: its OCO partner shrinks to what is left, as NT8 keeps the pair equal.
      const partner = order === child.leg.stopOrder ? child.leg.targetOrder : child.leg.stopOrder;
      const left = order.quantity - order.filled;
      if (partner && !isTerminal(partner.state) && partner.quantity - partner.filled !== left) {
        this.amend(partner, { quantity: partner.filled + left });
      }
    }
    this.cancelOrphanedExits(order.account, m.contract, outcome.position.qty);
  }

  /**
   * The entry filled (wholly or in part): submit each leg's stop and target as one OCO pair sized
   * to the leg's share of the filled quantity, or resize the pair already working.
   */
  private syncExits(mg: Managed, m: InstrumentMarket): void {
    const shares = splitQuantity(mg.entry.filled, mg.legs.map((l) => l.share));
    const tick = m.spec.tickSize;
    const avg = mg.entry.averageFillPrice;
    const round = (x: number) => Number((Math.round(x / tick) * tick).toFixed(10));
    mg.legs.forEach((leg, i) => {
      const q = shares[i]!;
      if (q === 0) return;
      if (leg.stop && leg.stopPrice === null) leg.stopPrice = leg.stop.price ?? round(avg - mg.side * leg.stop.ticks! * tick);
      if (leg.target && leg.targetPrice === null) leg.targetPrice = leg.target.price ?? round(avg + mg.side * leg.target.ticks! * tick);
      for (const kind of ['stop', 'target'] as const) {
        if (leg[kind] === null) continue;
        const existing = kind === 'stop' ? leg.stopOrder : leg.targetOrder;
        if (existing === null) {
          // A leg whose partner already ended (filled or cancelled) gets no new order.
          const partner = kind === 'stop' ? leg.targetOrder : leg.stopOrder;
          if (partner !== null && isTerminal(partner.state)) continue;
          const o = this.placeExit(mg, leg, i, kind, q, m);
          if (kind === 'stop') leg.stopOrder = o;
          else leg.targetOrder = o;
        } else if (!isTerminal(existing.state) && existing.quantity !== q && q > existing.filled) {
          this.amend(existing, { quantity: q });
        }
      }
    });
  }

  /** One exit of a managed entry: a StopMarket stop or a Limit target, in the leg's OCO group. */
  private placeExit(mg: Managed, leg: ExitLeg, i: number, kind: 'stop' | 'target', quantity: number, m: InstrumentMarket): Order {
    const stop = kind === 'stop';
    const order: Order = {
      orderId: `ORD-${this.nextOrder++}`,
      // NT8's names: an ATM strategy's children are Stop1/Target1, Stop2/Target2…; a strategy's
      // bracket (SetStopLoss / SetProfitTarget) is "Stop loss" / "Profit target".
      name: mg.atm ? `${stop ? 'Stop' : 'Target'}${i + 1}` : stop ? 'Stop loss' : 'Profit target',
      account: mg.entry.account,
      instrument: mg.entry.instrument,
      action: mg.side > 0 ? 'Sell' : 'BuyToCover',
      orderType: stop ? 'StopMarket' : 'Limit',
      timeInForce: 'Gtc',
      gtdDate: null,
      quantity,
      filled: 0,
      averageFillPrice: 0,
      limitPrice: stop ? null : leg.targetPrice,
      stopPrice: stop ? leg.stopPrice : null,
      ocoId: leg.oco,
      state: 'Initialized',
      error: null,
      time: new Date(this.now).toISOString(),
      ...(mg.atm ? { atm: mg.atm.name } : {}),
      bracketOf: mg.entry.name,
    };
    this.orderMap.set(order.orderId, order);
    this.working.get(order.instrument)!.add(order);
    this.childOf.set(order, { mg, leg });
    this.transition(order, 'Submitted');
    this.transition(order, 'Accepted');
    if (stop) {
      this.untriggered.add(order);
      this.triggerIfHit(order, m); // a stop already through the market (a fast fill) fires at once
    } else {
      this.transition(order, 'Working');
      this.fillIfMarketable(order, m, true);
    }
    return order;
  }

  /** The position no longer matches a managed entry's side (closed or reversed by other means): its exits go. */
  private cancelOrphanedExits(account: string, contract: string, positionQty: number): void {
    if (this.managed.size === 0) return;
    const sign = Math.sign(positionQty);
    for (const mg of [...this.managed.values()]) {
      if (mg.entry.account !== account || mg.entry.instrument !== contract) continue;
      const children = mg.legs.flatMap((l) => [l.stopOrder, l.targetOrder]).filter((o): o is Order => o !== null);
      if (mg.side !== sign) {
        for (const o of children) if (!isTerminal(o.state)) this.cancel(o);
      }
      if (isTerminal(mg.entry.state) && children.length > 0 && children.every((o) => isTerminal(o.state))) this.forget(mg);
      else if (isTerminal(mg.entry.state) && mg.entry.filled === 0) this.forget(mg);
    }
  }

  private forget(mg: Managed): void {
    this.managed.delete(mg.entry);
    for (const l of mg.legs) {
      if (l.stopOrder) this.childOf.delete(l.stopOrder);
      if (l.targetOrder) this.childOf.delete(l.targetOrder);
    }
  }

  /** The simulator changes its own exit (a resize or a breakeven move): NT8's change states. */
  private amend(o: Order, patch: { quantity?: number; stopPrice?: number }): void {
    this.transition(o, 'ChangePending');
    this.transition(o, 'ChangeSubmitted');
    if (patch.quantity !== undefined) o.quantity = patch.quantity;
    if (patch.stopPrice !== undefined) o.stopPrice = patch.stopPrice;
    if (this.untriggered.has(o)) this.transition(o, 'Accepted');
    else this.transition(o, o.filled > 0 ? 'PartFilled' : 'Working');
  }

  /** ATM auto breakeven: once the price is breakevenTicks in profit, the live stops move to the entry price. */
  private breakeven(m: InstrumentMarket): void {
    for (const mg of this.managed.values()) {
      const ticks = mg.atm?.breakevenTicks;
      if (ticks === undefined || mg.breakevenDone || mg.entry.instrument !== m.contract || mg.entry.filled === 0) continue;
      const avg = mg.entry.averageFillPrice;
      const last = m.quote.last;
      if (mg.side > 0 ? last < avg + ticks * m.spec.tickSize : last > avg - ticks * m.spec.tickSize) continue;
      mg.breakevenDone = true;
      const be = Number((Math.round(avg / m.spec.tickSize) * m.spec.tickSize).toFixed(10));
      for (const leg of mg.legs) {
        const s = leg.stopOrder;
        if (s && !isTerminal(s.state) && this.untriggered.has(s) && s.stopPrice !== be) {
          leg.stopPrice = be;
          this.amend(s, { stopPrice: be });
        }
      }
    }
  }

  /** An untriggered stop or MIT whose price the last trade has reached: Working, then it fills. */
  private triggerIfHit(o: Order, m: InstrumentMarket): void {
    if (this.closedReason(m) !== null) return;
    const last = m.quote.last;
    const buy = sideOf(o) > 0;
    const stop = o.stopPrice!;
    const hit = o.orderType === 'MIT' ? (buy ? last <= stop : last >= stop) : buy ? last >= stop : last <= stop;
    if (!hit) return;
    this.untriggered.delete(o);
    this.transition(o, 'Working');
    this.fillIfMarketable(o, m, true);
  }

  /** The order is leaving the book (filled, cancelled or expired). */
  private retire(order: Order): void {
    this.working.get(order.instrument)!.delete(order);
    this.untriggered.delete(order);
    this.gtd.delete(order);
  }

  /** A cancel someone asked for (NT8's Cancel): CancelPending → CancelSubmitted → Cancelled. */
  private cancel(order: Order): void {
    this.transition(order, 'CancelPending');
    this.transition(order, 'CancelSubmitted');
    this.retire(order);
    this.transition(order, 'Cancelled');
    this.closeOcoGroup(order);
  }

  /** The exchange (or the time in force) ends the order; nobody asked, so NT8 just reports Cancelled. */
  private expire(order: Order, why: string): void {
    this.retire(order);
    order.error = why;
    this.transition(order, 'Cancelled');
    this.closeOcoGroup(order);
  }

  private closeOcoGroup(order: Order): void {
    const oco = order.ocoId;
    if (oco === null || oco === undefined || this.closedOco.has(oco)) return;
    this.closedOco.add(oco);
    for (const set of this.working.values()) {
      for (const o of [...set]) {
        if (o.ocoId === oco && o.account === order.account && o !== order && !isTerminal(o.state)) this.cancel(o);
      }
    }
  }

  private cancelWhere(account: string, contract: string | undefined): string[] {
    const cancelled: string[] = [];
    for (const [c, set] of this.working) {
      if (contract !== undefined && c !== contract) continue;
      for (const o of [...set]) {
        if (o.account === account && !isTerminal(o.state)) {
          this.cancel(o);
          cancelled.push(o.orderId);
        }
      }
    }
    return cancelled;
  }

  /** After a quote change: the quote event (if it streams), then triggers and fills in order of arrival, then revaluation. */
  private afterQuote(m: InstrumentMarket): void {
    if (this.streams(m.contract)) this.out.push({ kind: 'quote', quote: { ...m.quote } });
    const set = this.working.get(m.contract)!;
    if (set.size > 0 && this.closedReason(m) === null) {
      for (const o of [...set]) {
        if (isTerminal(o.state)) continue;
        if (this.untriggered.has(o)) {
          this.triggerIfHit(o, m);
        } else if (o.state === 'Working' || o.state === 'PartFilled') {
          this.fillIfMarketable(o, m, false);
        }
      }
      if (this.managed.size > 0) this.breakeven(m);
    }
    // Revalue accounts holding this contract.
    for (const acct of this.accountsByName.values()) {
      const pos = acct.positions.get(m.contract);
      if (!pos) continue;
      revalue(acct, this.lastOf);
      this.out.push({ kind: 'position', position: positionEntity(pos, m.quote.last) });
      this.out.push({ kind: 'account', account: accountEntity(acct) });
    }
  }

  /** Orders (copies), optionally of one account. */
  orders(account?: string): Order[] {
    const out: Order[] = [];
    for (const o of this.orderMap.values()) if (account === undefined || o.account === account) out.push({ ...o });
    return out;
  }

  /** Open positions (entities), optionally of one account. */
  positions(account?: string): ReturnType<typeof positionEntity>[] {
    return this.snapshot().positions.filter((p) => account === undefined || p.account === account);
  }

  executionsOf(account?: string): Execution[] {
    return this.executions.filter((e) => account === undefined || e.account === account).map((e) => ({ ...e }));
  }

  account(name: string): Account | undefined {
    const a = this.accountsByName.get(name);
    return a ? accountEntity(a) : undefined;
  }

  /** Accounts as NT8 would list them (copies). */
  accounts(): Account[] {
    return [...this.accountsByName.values()].map(accountEntity);
  }
}
