// Contract specs for the futures the companion knows, and NT8 contract naming ("ES 12-26").
//
// Front-month rules (simple, documented approximations, all in UTC):
// - Equity index (ES, MES, NQ, MNQ): quarterly H M U Z; a contract expires on the third Friday of
//   its month and the front month rolls to the next quarter 8 days before that Friday.
// - CL: monthly; contract M expires on the 20th of month M-1 (real rule: 3 business days before the
//   25th); the front month rolls on the 15th of the month before expiry's month, i.e. before the
//   15th the front is next month's contract, from the 15th on it is the month after.
// - GC: monthly (every month treated as tradable); contract M expires on the 27th of month M; the
//   front rolls on the 25th of the month before, i.e. before the 25th the front is next month's
//   contract, from the 25th on it is the month after.
// resolveInstrument returns null for expired contracts and for months a root does not list.

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
  cycle: 'quarterly' | 'monthly';
}

export const INSTRUMENTS: Readonly<Record<Root, InstrumentSpec>> = {
  ES: { root: 'ES', description: 'E-mini S&P 500', tickSize: 0.25, pointValue: 50, tickValue: 12.5, decimals: 2, cycle: 'quarterly' },
  MES: { root: 'MES', description: 'Micro E-mini S&P 500', tickSize: 0.25, pointValue: 5, tickValue: 1.25, decimals: 2, cycle: 'quarterly' },
  NQ: { root: 'NQ', description: 'E-mini Nasdaq-100', tickSize: 0.25, pointValue: 20, tickValue: 5, decimals: 2, cycle: 'quarterly' },
  MNQ: { root: 'MNQ', description: 'Micro E-mini Nasdaq-100', tickSize: 0.25, pointValue: 2, tickValue: 0.5, decimals: 2, cycle: 'quarterly' },
  CL: { root: 'CL', description: 'Crude Oil', tickSize: 0.01, pointValue: 1000, tickValue: 10, decimals: 2, cycle: 'monthly' },
  GC: { root: 'GC', description: 'Gold', tickSize: 0.1, pointValue: 100, tickValue: 10, decimals: 1, cycle: 'monthly' },
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
const QUARTERLY = new Set([3, 6, 9, 12]);
const DAY_MS = 86_400_000;

function isRoot(s: string): s is Root {
  return Object.hasOwn(INSTRUMENTS, s);
}

/** Third Friday of a month (UTC midnight). */
function thirdFriday(year: number, month: number): number {
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay(); // 0 = Sunday
  const firstFriday = 1 + ((5 - first + 7) % 7);
  return Date.UTC(year, month - 1, firstFriday + 14);
}

/** UTC midnight of the contract's last trading day (see the rules above). */
export function expiryOf(root: Root, year: number, month: number): number {
  if (root === 'CL') return Date.UTC(year, month - 2, 20); // month-2: Date.UTC handles year wrap
  if (root === 'GC') return Date.UTC(year, month - 1, 27);
  return thirdFriday(year, month);
}

/** When the front month moves off this contract. */
function rollOf(root: Root, year: number, month: number): number {
  if (root === 'CL') return Date.UTC(year, month - 2, 15);
  if (root === 'GC') return Date.UTC(year, month - 2, 25);
  return thirdFriday(year, month) - 8 * DAY_MS;
}

function listed(root: Root, month: number): boolean {
  return INSTRUMENTS[root].cycle === 'monthly' || QUARTERLY.has(month);
}

export function contractName(root: Root, year: number, month: number): string {
  return `${root} ${String(month).padStart(2, '0')}-${String(year % 100).padStart(2, '0')}`;
}

/** The front-month contract of a root at `now`. */
export function frontMonth(root: Root, now: Date): { year: number; month: number } {
  let year = now.getUTCFullYear();
  let month = now.getUTCMonth() + 1;
  for (let i = 0; i < 36; i++) {
    if (listed(root, month) && now.getTime() < rollOf(root, year, month)) return { year, month };
    month += 1;
    if (month > 12) { month = 1; year += 1; }
  }
  throw new Error(`no front month for ${root}`); // unreachable
}

function make(root: Root, year: number, month: number): ResolvedInstrument {
  return { root, contract: contractName(root, year, month), spec: INSTRUMENTS[root], month, year };
}

/**
 * Accepts "ES" (front month), "ES 12-26" (NT8 name) and "ESZ26" / "ESZ6" (exchange code),
 * case-insensitive. Returns null for unknown roots, months the root does not list, and expired
 * contracts.
 */
export function resolveInstrument(input: string, now: Date): ResolvedInstrument | null {
  if (typeof input !== 'string') return null;
  const s = input.trim().toUpperCase().replace(/\s+/g, ' ');
  if (s.length === 0 || s.length > 20) return null;
  let root: string;
  let month: number;
  let year: number;
  let m: RegExpMatchArray | null;
  if (isRoot(s)) {
    const f = frontMonth(s, now);
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
      const nowYear = now.getUTCFullYear();
      year = nowYear - (nowYear % 10) + Number(m[3]);
      if (isRoot(root) && now.getTime() >= expiryOf(root, year, month) + DAY_MS) year += 10;
    }
  } else {
    return null;
  }
  if (!isRoot(root) || month < 1 || month > 12 || !listed(root, month)) return null;
  if (now.getTime() >= expiryOf(root, year, month) + DAY_MS) return null; // expired
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
