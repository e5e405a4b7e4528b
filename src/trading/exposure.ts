// An account's exposure per contract root, as the per-client limits see it: the position, plus
// everything that could still add to it — working orders, orders in flight, orders waiting for the
// person (every client's: the limit is on the account's real exposure) — and the rate of orders sent.
import type { AddonLink } from '../ninjatrader/link.ts';
import { rootOfContract } from '../ninjatrader/instruments.ts';
import { exposureSides, isTerminal } from '../ninjatrader/protocol.ts';
import { signedQuantity } from './types.ts';

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

  constructor(private readonly link: AddonLink) {}

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
    for (const o of mirror.orders(account, { working: true })) {
      if (!same(o.instrument)) continue;
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
