// Contract months, last trading days and NinjaTrader 8 rollover dates per root: the one source
// the simulator, the tools and the trading guard use to turn "ES" into a contract. Business days
// come from calendar.ts, so holidays move expiries and rolls as the exchange does.
//
// Rules (expiry = CME's "trading terminates"; roll = when NT8's front month moves to the next
// contract, effective at the start of the roll date's session, 18:00 ET the evening before):
// - ES, MES, NQ, MNQ: quarterly H M U Z. Expiry 09:30 ET on the third Friday of the contract
//   month (the business day before, if that Friday were a holiday). Roll: NT8's rollover date is
//   8 calendar days before expiry, the Thursday of the week before.
// - CL: every month. Expiry 14:30 ET, 3 business days before the 25th calendar day of the month
//   before the contract month; 4 business days before it when the 25th is not a business day
//   (NYMEX rule). Roll: 4 business days before the 25th (or before the business day preceding a
//   non-business 25th), i.e. the business day before expiry — NinjaTrader's stated CL rule
//   (NinjaTrader support forum, "Merge Policy: How is rollover date determined?", thread 35472).
// - GC: active months Feb, Apr, Jun, Aug, Oct, Dec (the months NT8 lists and rolls through).
//   Expiry 13:30 ET on the third-last business day of the contract month (COMEX rule). Roll: the
//   third-last business day of the month before the contract month, two business days ahead of
//   first notice day (the last business day of that month), when volume has moved. This is our
//   choice: NinjaTrader publishes no GC formula; its Instrument Manager dates fall at month end.
import { addBusinessDays, etInstant, isBusinessDay } from './calendar.ts';

const DAY = 86_400_000;
const QUARTERLY = [3, 6, 9, 12];
const GC_MONTHS = [2, 4, 6, 8, 10, 12];
const ALL_MONTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

export interface ContractMonth {
  year: number;
  /** 1..12 */
  month: number;
}

/** Months a root lists (those the companion trades and rolls through). */
export function listedMonths(root: string): readonly number[] {
  if (root === 'CL') return ALL_MONTHS;
  if (root === 'GC') return GC_MONTHS;
  return QUARTERLY;
}

export function isListed(root: string, month: number): boolean {
  return listedMonths(root).includes(month);
}

function dayNumber(year: number, month: number, date: number): number {
  return Math.floor(Date.UTC(year, month - 1, date) / DAY);
}

function lastDayOfMonth(year: number, month: number): number {
  return dayNumber(year, month + 1, 0);
}

/** Third-last business day of a month (day number). */
function thirdLastBusinessDay(year: number, month: number): number {
  let d = lastDayOfMonth(year, month);
  while (!isBusinessDay(d)) d--;
  return addBusinessDays(d, -2);
}

/** CL's last trading day for contract (year, month), as a day number. */
function clLastTradeDay(year: number, month: number): number {
  const the25th = dayNumber(year, month - 1, 25); // month - 1: Date.UTC wraps January to December
  return addBusinessDays(the25th, isBusinessDay(the25th) ? -3 : -4);
}

/** Day number of the contract's last trading day. */
export function lastTradeDay(root: string, c: ContractMonth): number {
  if (root === 'CL') return clLastTradeDay(c.year, c.month);
  if (root === 'GC') return thirdLastBusinessDay(c.year, c.month);
  const first = dayNumber(c.year, c.month, 1);
  const firstFriday = first + ((5 - ((first + 4) % 7) + 7) % 7);
  let d = firstFriday + 14;
  while (!isBusinessDay(d)) d--;
  return d;
}

/** The instant trading in the contract terminates. */
export function expiryOf(root: string, c: ContractMonth): number {
  const day = lastTradeDay(root, c);
  return etInstant(day, root === 'CL' ? '14:30' : root === 'GC' ? '13:30' : '09:30');
}

/** Day number of NT8's rollover date off this contract (the next one becomes the front month). */
export function rollDay(root: string, c: ContractMonth): number {
  if (root === 'CL') return addBusinessDays(clLastTradeDay(c.year, c.month), -1);
  if (root === 'GC') return thirdLastBusinessDay(c.year, c.month - 1); // month 0 wraps to December (Date.UTC)
  return lastTradeDay(root, c) - 8;
}

/** The instant the front month moves off this contract: the start of the roll date's session. */
export function rollOf(root: string, c: ContractMonth): number {
  return etInstant(rollDay(root, c) - 1, '18:00');
}

export function nextListed(root: string, c: ContractMonth): ContractMonth {
  let { year, month } = c;
  do {
    month += 1;
    if (month > 12) (month = 1), (year += 1);
  } while (!isListed(root, month));
  return { year, month };
}

export function prevListed(root: string, c: ContractMonth): ContractMonth {
  let { year, month } = c;
  do {
    month -= 1;
    if (month < 1) (month = 12), (year -= 1);
  } while (!isListed(root, month));
  return { year, month };
}

/** The front month of `root` at `ms`: the first listed contract whose roll has not come. */
export function frontMonth(root: string, ms: number): ContractMonth {
  const d = new Date(ms);
  // Start a month back: a contract rolls in the month before (CL, GC) or the month of (quarterly) expiry.
  let c: ContractMonth = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1 };
  c = prevListed(root, c);
  for (let i = 0; i < 30; i++) {
    if (ms < rollOf(root, c)) return c;
    c = nextListed(root, c);
  }
  throw new Error(`no front month for ${root}`); // unreachable: some listed month is always ahead
}

/**
 * The contracts of `root` that trade at `ms` as NT8 users hold them: the front month, and any
 * earlier month already rolled away from but not yet expired (roll week: ES 12-26 and ES 03-27).
 * Front month first.
 */
export function activeContracts(root: string, ms: number): ContractMonth[] {
  const front = frontMonth(root, ms);
  const out = [front];
  let c = prevListed(root, front);
  while (ms < expiryOf(root, c)) {
    out.push(c);
    c = prevListed(root, c);
  }
  return out;
}
