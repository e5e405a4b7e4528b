// The companion's live copy of the add-on's state: accounts, positions, orders, executions and
// last quotes. Built from a full snapshot, then kept current by domain events. Applying an event
// is O(1) (Map lookups, no copies): quotes arrive by the tens of thousands per second.
// Data survives a disconnect but is then marked `stale`.
import type {
  Account, DomainEvent, Execution, Order, Position, Quote, SnapshotState,
} from './protocol.ts';
import { isTerminal } from './protocol.ts';
import { systemClock } from '../clock.ts';

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
    for (const a of state.accounts) this.accountsByName.set(a.name, a);
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
        this.accountsByName.set(event.account.name, event.account);
        break;
      case 'connection':
        for (const a of this.accountsByName.values()) {
          if (a.connection === event.connection.connection) a.connectionStatus = event.connection.status;
        }
        break;
    }
    this.lastUpdate = this.now();
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
        if (opts.working === undefined || opts.working === !isTerminal(o.state)) out.push(o);
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

  quote(contract: string): Quote | undefined {
    return this.quotes.get(contract);
  }

  allQuotes(): Quote[] {
    return [...this.quotes.values()];
  }
}
