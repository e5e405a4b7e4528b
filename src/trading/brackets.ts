// Brackets, ATM templates and requireMarketPosition on the place path: the words the person reads in
// the confirmation prompt, the dollars to the stop, the position check, and which orders are exits
// of an entry (they never count again against a client's limits).
import type { BracketLeg, Order, Position } from '../ninjatrader/protocol.ts';
import { formatPrice, INSTRUMENTS, rootOfContract } from '../ninjatrader/instruments.ts';
import { Refusal } from './refusal.ts';

/** The bracket-related fields of a place action. */
export interface BracketFields {
  account: string;
  instrument: string;
  action: 'Buy' | 'Sell' | 'BuyToCover' | 'SellShort';
  quantity: number;
  stopLoss?: BracketLeg;
  takeProfit?: BracketLeg;
  atmTemplate?: string;
  requireMarketPosition?: 'Flat' | 'Long' | 'Short';
  /** The entry's expected price when it was checked (its limit/stop, else the ask or bid then). */
  reference?: number;
}

const isBuy = (a: BracketFields['action']) => a === 'Buy' || a === 'BuyToCover';

function specOf(instrument: string) {
  const root = rootOfContract(instrument);
  return root ? INSTRUMENTS[root] : null;
}

/** One leg as signed ticks from the entry (negative = against the position) and its price, where known. */
function legFacts(a: BracketFields, leg: BracketLeg, kind: 'stop' | 'target') {
  const spec = specOf(a.instrument);
  if (!spec) return null;
  const sign = (isBuy(a.action) ? 1 : -1) * (kind === 'stop' ? -1 : 1);
  if (leg.ticks !== undefined) {
    const price = a.reference === undefined ? null : a.reference + sign * leg.ticks * spec.tickSize;
    return { spec, ticks: leg.ticks, price, fromFill: true };
  }
  const ticks = a.reference === undefined ? null : Math.round(Math.abs(leg.price! - a.reference) / spec.tickSize);
  return { spec, ticks, price: leg.price!, fromFill: false };
}

const usd = (x: number) => `$${x.toFixed(2)}`;

/**
 * ", stop 5998.25 (−8 ticks, $100.00), target 6004.25 (+16 ticks, $200.00)", ", ATM strategy "1
 * Target + Stop"", ", only if flat" — appended to the order's one-line description.
 */
export function bracketWords(a: BracketFields): string {
  const parts: string[] = [];
  for (const [kind, leg] of [['stop', a.stopLoss], ['target', a.takeProfit]] as const) {
    if (!leg) continue;
    const f = legFacts(a, leg, kind);
    if (!f) {
      parts.push(leg.ticks !== undefined ? `${kind} ${leg.ticks} ticks from the fill` : `${kind} ${leg.price}`);
      continue;
    }
    const sign = kind === 'stop' ? '−' : '+';
    const dollars = f.ticks === null ? '' : `, ${usd(f.ticks * f.spec.tickValue * a.quantity)}`;
    if (f.fromFill) {
      const money = usd(f.ticks! * f.spec.tickValue * a.quantity);
      parts.push(f.price === null ? `${kind} ${sign}${f.ticks} ticks from the fill (${money})` : `${kind} ≈${formatPrice(f.price, f.spec)} (${sign}${f.ticks} ticks from the fill, ${money})`);
    } else {
      parts.push(`${kind} ${formatPrice(f.price!, f.spec)}${f.ticks === null ? '' : ` (${sign}${f.ticks} ticks${dollars})`}`);
    }
  }
  if (a.atmTemplate !== undefined) parts.push(`ATM strategy "${a.atmTemplate}"`);
  if (a.requireMarketPosition !== undefined) parts.push(`only if ${a.requireMarketPosition.toLowerCase()}`);
  return parts.length ? `, ${parts.join(', ')}` : '';
}

/** The bracket's stop loss as ticks, price and dollars from the entry's reference price, when all are known. */
export function bracketStop(a: BracketFields): { ticks: number; price: number; from: number; dollars: number } | null {
  if (!a.stopLoss || a.reference === undefined) return null;
  const f = legFacts(a, a.stopLoss, 'stop');
  if (!f || f.ticks === null || f.price === null) return null;
  return { ticks: f.ticks, price: f.price, from: a.reference, dollars: f.ticks * f.spec.tickValue * a.quantity };
}

/** Dollars lost if the bracket's stop fills (ticks to the stop × tick value × quantity), or null. */
export function bracketRisk(a: BracketFields): number | null {
  if (!a.stopLoss) return null;
  const f = legFacts(a, a.stopLoss, 'stop');
  return f && f.ticks !== null ? f.ticks * f.spec.tickValue * a.quantity : null;
}

/** A stop or target an entry's bracket or ATM strategy placed: an exit of that entry, not new risk. */
export function isEntryExit(o: Order): boolean {
  return typeof o.bracketOf === 'string' && o.bracketOf.length > 0;
}

/**
 * requireMarketPosition: refused unless the account's net position in the instrument's root (every
 * month held) is as stated. Run before any prompt; nothing is placed.
 */
export function checkRequiredPosition(a: BracketFields, positions: readonly Position[]): void {
  const want = a.requireMarketPosition;
  if (want === undefined) return;
  const root = rootOfContract(a.instrument);
  let net = 0;
  for (const p of positions) {
    if (p.account !== a.account || (root ? rootOfContract(p.instrument) !== root : p.instrument !== a.instrument)) continue;
    if (p.marketPosition === 'Unknown') {
      throw new Refusal('position_mismatch', `Refused: requireMarketPosition is ${want}, but NinjaTrader reported the ${p.instrument} position on ${a.account} as ${JSON.stringify(p.unknownValues?.marketPosition ?? 'Unknown')}, which this companion does not know. Nothing was placed.`);
    }
    net += p.marketPosition === 'Long' ? p.quantity : p.marketPosition === 'Short' ? -p.quantity : 0;
  }
  const is = net > 0 ? 'Long' : net < 0 ? 'Short' : 'Flat';
  if (is !== want) {
    const what = is === 'Flat' ? 'flat' : `${is.toLowerCase()} ${Math.abs(net)}`;
    throw new Refusal('position_mismatch', `Refused: requireMarketPosition is ${want}, but ${a.account} is ${what} in ${root ?? a.instrument}${root ? ' (all contract months)' : ''}. Nothing was placed and nobody was asked.`, { marketPosition: is, quantity: Math.abs(net) });
  }
}
