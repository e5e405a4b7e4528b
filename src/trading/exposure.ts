// An account's exposure per contract root, as the per-client limits see it: the position, plus
// everything that could still add to it — working orders, orders in flight, orders waiting for the
// person (every client's: the limit is on the account's real exposure) — and the rate of orders sent.
import type { AddonLink } from '../ninjatrader/link.ts';
import { rootOfContract } from '../ninjatrader/instruments.ts';
import { exposureSides, isTerminal } from '../ninjatrader/protocol.ts';
import { signedQuantity } from './types.ts';
import { isEntryExit } from './brackets.ts';

/**
 * Exposure reserved by an action the mirror cannot see yet: waiting for the person, or sent and not
 * answered. `qty` is signed (+ buys, − sells). A place carries its wire name: once NinjaTrader
 * reports a working order of that name, the order counts instead.
 */
export interface Reservation {
  id: string;
  account: string;
  instrument: string;
  qty: number;
  name?: string;
  /** The add-on never answered: kept until NinjaTrader reports the named order (or the change). */
  unknown?: boolean;
  /** A modify's order and the quantity it asked for: its reservation ends when the mirror shows it. */
  change?: { orderId: string; quantity: number };
  /** A reversal's contract and the net position it reversed: its reservation ends when that changes. */
  reversal?: { instrument: string; from: number };
}

export interface ExposureNow {
  /** Net position across every month of the root: + long, − short. */
  position: number;
  /** Buys that could still add to it (working, in flight, waiting for the person). */
  buys: number;
  /** Sells that could still add to it. */
  sells: number;
}

export class Exposure {
  /** In-memory reservations; the guard checks and takes them in one synchronous step. */
  private readonly reservations = new Map<string, Reservation>();

  /** Orders left out of the count while a synchronous check runs (excluding()): account → order ids. */
  private readonly excluded = new Map<string, Set<string>>();

  constructor(private readonly link: AddonLink) {}

  /**
   * Runs `fn` (synchronous: a guard run) with `orderId`'s remaining quantity left out of the
   * account's exposure: cancel_replace checks its new order as if the order it cancels were gone.
   * Outside `fn` the old order counts again until NinjaTrader reports it Cancelled (conservative:
   * other calls see both while the replace is in flight).
   */
  excluding<T>(account: string, orderId: string, fn: () => T): T {
    const set = this.excluded.get(account) ?? new Set<string>();
    const added = !set.has(orderId);
    set.add(orderId);
    this.excluded.set(account, set);
    try {
      return fn();
    } finally {
      if (added) set.delete(orderId);
      if (set.size === 0) this.excluded.delete(account);
    }
  }

  hold(r: Reservation): void {
    this.reservations.set(r.id, r);
  }

  release(id: string): void {
    this.reservations.delete(id);
  }

  /** The person resolved an unknown outcome: the order NinjaTrader lists (or nothing) counts now. */
  forgetUnknown(account: string, wire: string): void {
    for (const [id, r] of this.reservations) {
      if (r.unknown && r.account === account && r.name === wire) this.reservations.delete(id);
    }
  }

  /** Contracts the account holds, works or has in flight or waiting (the risk rules' total counts them all). */
  contracts(account: string): string[] {
    const mirror = this.link.mirror;
    const out = new Set<string>();
    for (const p of mirror.positions(account)) if (p.marketPosition !== 'Flat') out.add(p.instrument);
    const excluded = this.excluded.get(account);
    for (const o of mirror.orders(account, { working: true })) if (!excluded?.has(o.orderId)) out.add(o.instrument);
    for (const r of this.reservations.values()) if (r.account === account) out.add(r.instrument);
    return [...out];
  }

  /**
   * The account's exposure in the contract's root across every month held (in roll week "ES 12-26"
   * and "ES 03-27" are one exposure).
   */
  of(account: string, contract: string): ExposureNow {
    const root = rootOfContract(contract);
    const same = (i: string) => (root ? rootOfContract(i) === root : i === contract);
    const mirror = this.link.mirror;
    let position = 0;
    let buys = 0;
    let sells = 0;
    for (const p of mirror.positions(account)) {
      if (!same(p.instrument)) continue;
      // A position whose side NinjaTrader reported as something unknown: worst case either way.
      if (p.marketPosition === 'Unknown') {
        buys += p.quantity;
        sells += p.quantity;
      } else position += signedQuantity(p);
    }
    const live = new Set<string>();
    const excluded = this.excluded.get(account);
    for (const o of mirror.orders(account, { working: true })) {
      if (!same(o.instrument)) continue;
      if (excluded?.has(o.orderId)) continue; // being cancelled by a cancel_replace under check
      // A bracket's or ATM strategy's stop and target are exits of their entry (cancelled with the
      // position, one OCO pair per leg): the entry counted; they never add risk of their own.
      if (isEntryExit(o)) continue;
      if (o.name) live.add(o.name);
      const left = Math.max(0, o.quantity - o.filled);
      // An order whose action NinjaTrader reported as something unknown counts both ways (worst case).
      const sides = exposureSides(o.action);
      if (sides.buys) buys += left;
      if (sides.sells) sells += left;
    }
    for (const r of this.reservations.values()) {
      if (r.account !== account || !same(r.instrument)) continue;
      if (r.name && live.has(r.name)) continue; // the working order counts instead
      if (r.unknown && r.name && mirror.orderByName(account, r.name)) {
        this.reservations.delete(r.id); // NinjaTrader reported it (working or done): it counts as such
        continue;
      }
      if (r.unknown && r.reversal) {
        if (signedQuantity(mirror.position(account, r.reversal.instrument)) !== r.reversal.from) {
          this.reservations.delete(r.id); // the position moved: the mirror counts the reversal
          continue;
        }
      }
      if (r.unknown && r.change) {
        const o = mirror.orderById(account, r.change.orderId);
        if (!o || isTerminal(o.state) || o.quantity >= r.change.quantity) {
          this.reservations.delete(r.id); // the change is reported (or the order is gone): the mirror counts it
          continue;
        }
      }
      if (r.qty > 0) buys += r.qty;
      else sells -= r.qty;
    }
    return { position, buys, sells };
  }
}

/** Send times of risk-increasing actions per grant, for maxOrdersPerMinute. */
export class OrderRate {
  private readonly sent = new Map<string, number[]>();

  constructor(private readonly now: () => number) {}

  note(grantId: string): void {
    const list = this.sent.get(grantId) ?? [];
    list.push(this.now());
    this.sent.set(grantId, list);
  }

  /** Risk-increasing actions this grant sent in the last minute. */
  recent(grantId: string): number {
    const cutoff = this.now() - 60_000;
    const list = (this.sent.get(grantId) ?? []).filter((t) => t > cutoff);
    this.sent.set(grantId, list);
    return list.length;
  }
}
