// Contract specs for the futures the companion knows, and NT8 contract naming ("ES 12-26").
// Contract months, expiries and NT8 rollover dates live in src/market/contracts.ts (one source);
// resolveInstrument returns null for expired contracts and for months a root does not list.
import { expiryOf, frontMonth, isListed, listedMonths } from '../market/contracts.ts';

export type Root = 'ES' | 'MES' | 'NQ' | 'MNQ' | 'CL' | 'GC';

export interface InstrumentSpec {
  root: Root;
  description: string;
  tickSize: number;
  /** Dollars per 1.00 of price. */
  pointValue: number;
  /** Dollars per tick (tickSize × pointValue). */
  tickValue: number;
  /** Decimals NT8 shows for this instrument's prices. */
  decimals: number;
}

export const INSTRUMENTS: Readonly<Record<Root, InstrumentSpec>> = {
  ES: { root: 'ES', description: 'E-mini S&P 500', tickSize: 0.25, pointValue: 50, tickValue: 12.5, decimals: 2 },
  MES: { root: 'MES', description: 'Micro E-mini S&P 500', tickSize: 0.25, pointValue: 5, tickValue: 1.25, decimals: 2 },
  NQ: { root: 'NQ', description: 'E-mini Nasdaq-100', tickSize: 0.25, pointValue: 20, tickValue: 5, decimals: 2 },
  MNQ: { root: 'MNQ', description: 'Micro E-mini Nasdaq-100', tickSize: 0.25, pointValue: 2, tickValue: 0.5, decimals: 2 },
  CL: { root: 'CL', description: 'Crude Oil', tickSize: 0.01, pointValue: 1000, tickValue: 10, decimals: 2 },
  GC: { root: 'GC', description: 'Gold', tickSize: 0.1, pointValue: 100, tickValue: 10, decimals: 1 },
};
export const ROOTS = Object.keys(INSTRUMENTS) as Root[];

export interface ResolvedInstrument {
  root: Root;
  /** NT8 contract name, e.g. "ES 12-26". */
  contract: string;
  spec: InstrumentSpec;
  /** Contract month 1..12 and full year. */
  month: number;
  year: number;
}

const MONTH_CODES = 'FGHJKMNQUVXZ'; // F=Jan … Z=Dec

function isRoot(s: string): s is Root {
  return Object.hasOwn(INSTRUMENTS, s);
}

function listed(root: Root, month: number): boolean {
  return isListed(root, month);
}

export function contractName(root: Root, year: number, month: number): string {
  return `${root} ${String(month).padStart(2, '0')}-${String(year % 100).padStart(2, '0')}`;
}

function make(root: Root, year: number, month: number): ResolvedInstrument {
  return { root, contract: contractName(root, year, month), spec: INSTRUMENTS[root], month, year };
}

/**
 * Accepts "ES" (front month), "ES 12-26" (NT8 name) and "ESZ26" / "ESZ6" (exchange code),
 * case-insensitive. Returns null for unknown roots, months the root does not list, and expired
 * contracts.
 */
export function resolveInstrument(input: string, at: Date | number): ResolvedInstrument | null {
  if (typeof input !== 'string') return null;
  const nowMs = typeof at === 'number' ? at : at.getTime();
  const s = input.trim().toUpperCase().replace(/\s+/g, ' ');
  if (s.length === 0 || s.length > 20) return null;
  let root: string;
  let month: number;
  let year: number;
  let m: RegExpMatchArray | null;
  if (isRoot(s)) {
    const f = frontMonth(s, nowMs);
    return make(s, f.year, f.month);
  } else if ((m = s.match(/^([A-Z]{1,4}) (\d{1,2})-(\d{2}|\d{4})$/))) {
    root = m[1]!;
    month = Number(m[2]);
    year = m[3]!.length === 4 ? Number(m[3]) : 2000 + Number(m[3]);
  } else if ((m = s.match(/^([A-Z]{1,4})([FGHJKMNQUVXZ])(\d{1,2})$/))) {
    root = m[1]!;
    month = MONTH_CODES.indexOf(m[2]!) + 1;
    if (m[3]!.length === 2) {
      year = 2000 + Number(m[3]);
    } else {
      // One-digit year: the first year ending in that digit whose contract has not expired.
      const nowYear = new Date(nowMs).getUTCFullYear();
      year = nowYear - (nowYear % 10) + Number(m[3]);
      if (isRoot(root) && listed(root, month) && nowMs >= expiryOf(root, { year, month })) year += 10;
    }
  } else {
    return null;
  }
  if (!isRoot(root) || month < 1 || month > 12 || !listed(root, month)) return null;
  if (year < 2000 || year > 2099) return null;
  if (nowMs >= expiryOf(root, { year, month })) return null; // expired: trading has terminated
  return make(root, year, month);
}

/** Nearest multiple of tickSize, without binary noise (6000.25, not 6000.250000000001). */
export function roundToTick(price: number, tickSize: number): number {
  const ticks = Math.round(price / tickSize);
  return Number((ticks * tickSize).toFixed(decimalsOf(tickSize)));
}

/** True when price is a whole number of ticks (tolerant of binary noise). */
export function isOnTick(price: number, tickSize: number): boolean {
  const ticks = price / tickSize;
  return Number.isFinite(ticks) && Math.abs(ticks - Math.round(ticks)) < 1e-6;
}

export function formatPrice(price: number, spec: Pick<InstrumentSpec, 'decimals'>): string {
  return price.toFixed(spec.decimals);
}

function decimalsOf(tickSize: number): number {
  const s = String(tickSize);
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}

/** Spec for an NT8 contract name ("ES 12-26") or root, ignoring expiry; null if unknown. */
export function specOf(instrument: string): InstrumentSpec | null {
  const root = instrument.trim().split(/[\s]/)[0]?.toUpperCase() ?? '';
  return isRoot(root) ? INSTRUMENTS[root] : null;
}

/** The root when the input names a root alone ("ES", " es "), else null. */
export function rootOnly(input: string): Root | null {
  const s = typeof input === 'string' ? input.trim().toUpperCase() : '';
  return isRoot(s) ? s : null;
}

/**
 * Resolves like resolveInstrument, but a bare root follows the contracts the link actually quotes
 * (`quoted`: contract names from the mirror): the calendar's front month when the link quotes it
 * or quotes nothing of that root; otherwise the latest quoted month not after the calendar's front
 * (NT8 not yet rolled), else the earliest quoted one. An explicit month is taken as given.
 */
export function resolveQuoted(input: string, at: number, quoted: Iterable<string>): ResolvedInstrument | null {
  const r = resolveInstrument(input, at);
  const root = rootOnly(input);
  if (!r || !root) return r;
  const mine: ResolvedInstrument[] = [];
  for (const q of quoted) {
    const x = resolveInstrument(q, at);
    if (x && x.root === root && x.contract === q) mine.push(x);
  }
  if (mine.length === 0 || mine.some((x) => x.contract === r.contract)) return r;
  const key = (x: ResolvedInstrument) => x.year * 12 + x.month;
  mine.sort((a, b) => key(a) - key(b));
  return [...mine].reverse().find((x) => key(x) <= key(r)) ?? mine[0]!;
}

/** The root of an NT8 contract name ("ES 12-26" → "ES"), or null. */
export function rootOfContract(contract: string): Root | null {
  const root = contract.trim().split(/\s/)[0]?.toUpperCase() ?? '';
  return isRoot(root) ? root : null;
}

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Why an instrument did not resolve, as one sentence a model or trader can act on: an unknown
 * root, a month the root does not list, or a contract that has expired (with today's front month).
 */
export function explainUnresolved(input: string, at: number): string {
  const s = typeof input === 'string' ? input.trim().toUpperCase().replace(/\s+/g, ' ') : '';
  const hint = `Use a root (${ROOTS.join(', ')}), a contract like "${contractOf('ES', at)}", or a symbol like "ES${MONTH_CODES[frontMonth('ES', at).month - 1]}${String(frontMonth('ES', at).year % 100).padStart(2, '0')}".`;
  let root = '';
  let month = 0;
  let year = 0;
  let m: RegExpMatchArray | null;
  if ((m = s.match(/^([A-Z]{1,4}) (\d{1,2})-(\d{2}|\d{4})$/))) {
    root = m[1]!;
    month = Number(m[2]);
    year = m[3]!.length === 4 ? Number(m[3]) : 2000 + Number(m[3]);
  } else if ((m = s.match(/^([A-Z]{1,4})([FGHJKMNQUVXZ])(\d{2})$/))) {
    root = m[1]!;
    month = MONTH_CODES.indexOf(m[2]!) + 1;
    year = 2000 + Number(m[3]);
  }
  const shown = JSON.stringify(typeof input === 'string' ? input.slice(0, 40) : String(input));
  if (!root || !isRoot(root)) return `Unknown instrument ${shown}. ${hint}`;
  if (month < 1 || month > 12) return `Unknown instrument ${shown}: there is no month ${month}. ${hint}`;
  if (!listed(root, month)) {
    const months = listedMonths(root).map((x) => MONTH_NAMES[x - 1]).join(', ');
    return `${root} has no ${MONTH_NAMES[month - 1]} contract: it lists ${months}. The front month now is ${contractOf(root, at)}.`;
  }
  const expiry = expiryOf(root, { year, month });
  if (at >= expiry) {
    return `${contractName(root, year, month)} expired on ${new Date(expiry).toISOString().slice(0, 10)}; the front month now is ${contractOf(root, at)} ("${root}" always means the front month).`;
  }
  return `Unknown instrument ${shown}. ${hint}`;
}

function contractOf(root: Root, at: number): string {
  const f = frontMonth(root, at);
  return contractName(root, f.year, f.month);
}
