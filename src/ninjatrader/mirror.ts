// The companion's live copy of the add-on's state: accounts, positions, orders, executions and
// last quotes. Built from a full snapshot, then kept current by domain events. Applying an event
// is O(1) (Map lookups, no copies): quotes arrive by the tens of thousands per second.
// Data survives a disconnect but is then marked `stale`.
import type {
  Account, ConnectionInfo, ConnectionStatus, DomainEvent, Execution, Lenient, Order, Position, Quote, SnapshotState,
} from './protocol.ts';
import { isLive } from './protocol.ts';
import { systemClock } from '../clock.ts';

/** One NT8 connection as the link state shows it: its order-routing and price-feed statuses and its accounts. */
export interface MirrorConnection {
  name: string;
  status: Lenient<ConnectionStatus>;
  /** null when the add-on does not report it (protocol 1.0). */
  priceStatus: Lenient<ConnectionStatus> | null;
  accounts: string[];
  /** NinjaTrader's own text for a status this companion does not know ('status', 'priceStatus'). */
  unknownValues?: Record<string, string>;
}

/** Executions kept per account (oldest dropped first). */
const MAX_EXECUTIONS_PER_ACCOUNT = 10_000;

export class Mirror {
  private readonly accountsByName = new Map<string, Account>();
  /** account → orderId → order */
  private readonly ordersByAccount = new Map<string, Map<string, Order>>();
  /** account → order name (client order id) → orderId of the latest order with that name */
  private readonly orderIdByName = new Map<string, Map<string, string>>();
  /** account → instrument → position (flat positions are removed) */
  private readonly positionsByAccount = new Map<string, Map<string, Position>>();
  private readonly executionsByAccount = new Map<string, Execution[]>();
  private readonly quotes = new Map<string, Quote>();
  /** Connections the add-on reported itself (1.1 snapshot list and `connection` events). */
  private readonly connectionsByName = new Map<string, ConnectionInfo>();
  /** True while the link is down (or before the first snapshot): data may be out of date. */
  stale = true;
  /** ms since epoch of the last snapshot or event applied; null before any. */
  lastUpdate: number | null = null;

  constructor(private readonly now: () => number = systemClock.now) {}

  /** Replace everything with a full snapshot. */
  replace(state: SnapshotState): void {
    this.accountsByName.clear();
    this.ordersByAccount.clear();
    this.orderIdByName.clear();
    this.positionsByAccount.clear();
    this.executionsByAccount.clear();
    this.quotes.clear();
    this.connectionsByName.clear();
    for (const c of state.connections ?? []) this.connectionsByName.set(c.connection, c);
    for (const a of state.accounts) this.putAccount(a);
    for (const o of state.orders) this.putOrder(o, undefined);
    for (const p of state.positions) this.putPosition(p);
    for (const e of state.executions) this.putExecution(e);
    for (const q of state.quotes) this.quotes.set(q.instrument, q);
    this.stale = false;
    this.lastUpdate = this.now();
  }

  /** Apply one domain event. */
  apply(event: DomainEvent): void {
    switch (event.kind) {
      case 'quote':
        this.quotes.set(event.quote.instrument, event.quote);
        break;
      case 'order':
        this.putOrder(event.order, event.previousOrderId);
        break;
      case 'position':
        this.putPosition(event.position);
        break;
      case 'execution':
        this.putExecution(event.execution);
        break;
      case 'account':
        this.putAccount(event.account);
        break;
      case 'connection': {
        const c = event.connection;
        const prev = this.connectionsByName.get(c.connection);
        // A 1.0 add-on's event has no priceStatus: keep the one known.
        const merged: ConnectionInfo = { ...c, ...(c.priceStatus === undefined && prev?.priceStatus !== undefined ? { priceStatus: prev.priceStatus } : {}) };
        this.connectionsByName.set(c.connection, merged);
        for (const a of this.accountsByName.values()) {
          if (a.connection !== c.connection) continue;
          a.connectionStatus = c.status;
          if (c.priceStatus !== undefined) a.priceStatus = c.priceStatus;
          const { connectionStatus: _s, ...rest } = a.unknownValues ?? {};
          const kept = c.priceStatus === undefined ? rest : (({ priceStatus: _p, ...r }) => r)(rest);
          const u = { ...kept, ...renameConnectionUnknowns(c.unknownValues ?? {}) };
          if (Object.keys(u).length) a.unknownValues = u;
          else delete a.unknownValues;
        }
        break;
      }
    }
    this.lastUpdate = this.now();
  }

  private putAccount(a: Account): void {
    // 1.0 add-ons send no displayName: it is the name.
    this.accountsByName.set(a.name, a.displayName === undefined ? { ...a, displayName: a.name } : a);
  }

  private putOrder(o: Order, previousOrderId: string | undefined): void {
    let byId = this.ordersByAccount.get(o.account);
    if (!byId) this.ordersByAccount.set(o.account, (byId = new Map()));
    if (previousOrderId !== undefined && previousOrderId !== o.orderId) byId.delete(previousOrderId);
    byId.set(o.orderId, o);
    if (o.name) {
      let byName = this.orderIdByName.get(o.account);
      if (!byName) this.orderIdByName.set(o.account, (byName = new Map()));
      byName.set(o.name, o.orderId);
    }
  }

  private putPosition(p: Position): void {
    let byInstrument = this.positionsByAccount.get(p.account);
    if (!byInstrument) this.positionsByAccount.set(p.account, (byInstrument = new Map()));
    if (p.marketPosition === 'Flat' || p.quantity === 0) byInstrument.delete(p.instrument);
    else byInstrument.set(p.instrument, p);
  }

  private putExecution(e: Execution): void {
    // 1.0 add-ons send no marketPosition: a buy fill is Long, a sell fill Short.
    if (e.marketPosition === undefined && e.action !== 'Unknown') {
      e = { ...e, marketPosition: e.action === 'Buy' || e.action === 'BuyToCover' ? 'Long' : 'Short' };
    }
    let list = this.executionsByAccount.get(e.account);
    if (!list) this.executionsByAccount.set(e.account, (list = []));
    list.push(e);
    // Amortised trim: drop the oldest half-cap at once rather than shifting on every push.
    if (list.length > MAX_EXECUTIONS_PER_ACCOUNT * 1.5) list.splice(0, list.length - MAX_EXECUTIONS_PER_ACCOUNT);
  }

  // ---- queries (these may allocate; they are not on the hot path) ----

  accounts(): Account[] {
    return [...this.accountsByName.values()];
  }

  account(name: string): Account | undefined {
    return this.accountsByName.get(name);
  }

  positions(account?: string): Position[] {
    const out: Position[] = [];
    for (const [name, byInstrument] of this.positionsByAccount) {
      if (account === undefined || name === account) out.push(...byInstrument.values());
    }
    return out;
  }

  position(account: string, instrument: string): Position | undefined {
    return this.positionsByAccount.get(account)?.get(instrument);
  }

  orders(account?: string, opts: { working?: boolean } = {}): Order[] {
    const out: Order[] = [];
    for (const [name, byId] of this.ordersByAccount) {
      if (account !== undefined && name !== account) continue;
      for (const o of byId.values()) {
        if (opts.working === undefined || opts.working === isLive(o)) out.push(o);
      }
    }
    return out;
  }

  /** By NT8 order id first, then by name (the client order id; latest order with that name). */
  order(account: string, idOrName: string): Order | undefined {
    const byId = this.ordersByAccount.get(account);
    const direct = byId?.get(idOrName);
    if (direct) return direct;
    const id = this.orderIdByName.get(account)?.get(idOrName);
    return id === undefined ? undefined : byId?.get(id);
  }

  /** By NT8 order id only (never by name). */
  orderById(account: string, orderId: string): Order | undefined {
    return this.ordersByAccount.get(account)?.get(orderId);
  }

  /** By order name only (the namespaced client order id; the latest order with that name). */
  orderByName(account: string, name: string): Order | undefined {
    const id = this.orderIdByName.get(account)?.get(name);
    return id === undefined ? undefined : this.ordersByAccount.get(account)?.get(id);
  }

  executions(account?: string, opts: { orderId?: string } = {}): Execution[] {
    const out: Execution[] = [];
    for (const [name, list] of this.executionsByAccount) {
      if (account !== undefined && name !== account) continue;
      for (const e of list) if (opts.orderId === undefined || e.orderId === opts.orderId) out.push(e);
    }
    return out;
  }

  /**
   * Every NT8 connection: the ones the add-on reported (1.1), and for a 1.0 add-on the ones its
   * accounts name (status from the account). Each with the accounts on it.
   */
  connections(): MirrorConnection[] {
    const out = new Map<string, MirrorConnection>();
    for (const c of this.connectionsByName.values()) {
      out.set(c.connection, { name: c.connection, status: c.status, priceStatus: c.priceStatus ?? null, accounts: [], ...(c.unknownValues ? { unknownValues: c.unknownValues } : {}) });
    }
    for (const a of this.accountsByName.values()) {
      let c = out.get(a.connection);
      if (!c) {
        const u = a.unknownValues ? renameAccountUnknowns(a.unknownValues) : undefined;
        out.set(a.connection, (c = { name: a.connection, status: a.connectionStatus, priceStatus: a.priceStatus ?? null, accounts: [], ...(u ? { unknownValues: u } : {}) }));
      }
      c.accounts.push(a.name);
    }
    return [...out.values()];
  }

  quote(contract: string): Quote | undefined {
    return this.quotes.get(contract);
  }

  allQuotes(): Quote[] {
    return [...this.quotes.values()];
  }
}

/** A connection's unknown `status`/`priceStatus` become the account's `connectionStatus`/`priceStatus`. */
function renameConnectionUnknowns(u: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  if (u.status !== undefined) out.connectionStatus = u.status;
  if (u.priceStatus !== undefined) out.priceStatus = u.priceStatus;
  return out;
}

function renameAccountUnknowns(u: Record<string, string>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  if (u.connectionStatus !== undefined) out.status = u.connectionStatus;
  if (u.priceStatus !== undefined) out.priceStatus = u.priceStatus;
  return Object.keys(out).length ? out : undefined;
}
