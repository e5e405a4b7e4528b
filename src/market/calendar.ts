// The one CME Globex market calendar: when ES/MES/NQ/MNQ (equity index), CL (energy) and GC
// (metals) trade, session boundaries as NinjaTrader 8 draws them, exchange holidays and early
// closes, and business days for contract expiries (contracts.ts). Pure functions of an instant
// (ms since the epoch): callers pass clock.now(); nothing here reads the time.
//
// Regular week (all three groups): Globex opens Sunday 18:00 America/New_York and closes Friday
// 17:00, with a daily maintenance break 17:00–18:00 Monday to Thursday.
//
// Sessions follow NT8's session template (and CrossTrade's watermarks): the session of calendar
// date D (a weekday) runs from 18:00 ET on the previous calendar day to D's close (17:00, or the
// early close of a holiday). NT8 resets session values at a session's start. A date with a full
// closure has no session; Monday's session starts Sunday 18:00. The time between one session's
// close and the next one's start (break, weekend, holiday) belongs to the earlier session, so
// sessions partition time.
//
// Holidays: the table below, from CME Group's published Globex holiday calendars for 2026 and the
// exchange's standing pattern for the same holidays in 2027 (CME publishes each year's schedule
// late in the year before; check https://www.cmegroup.com/trading-hours.html#holidays and update
// HOLIDAYS when it does). Times are ET (CME states them in CT; +1 h):
// - New Year's Day, Good Friday, Christmas (and a Saturday Christmas observed on Friday): closed.
//   Except Good Friday 2026 (3 April), the day of the March jobs report: as CME did in 2021 and
//   2023 when the two coincided, equity index futures trade from Thursday 18:00 until 09:15 ET;
//   energy and metals stay closed (assumed until CME publishes the 2026 notice).
// - MLK, Presidents, Memorial, Juneteenth, Independence, Labor Day, Thanksgiving: Globex stays
//   open from the evening before but halts early (equity 12:00 CT = 13:00 ET; energy and metals
//   13:30 CT = 14:30 ET) and reopens 18:00 ET for the next trade date. These dates are not
//   business days (no settlement), which matters for CL/GC expiries.
// - Day after Thanksgiving and Christmas Eve: early close (equity 12:15 CT = 13:15 ET; energy and
//   metals 12:45 CT = 13:45 ET); they are business days.
// - A holiday on a Saturday is observed the Friday before (Independence 2026, Juneteenth and
//   Christmas 2027), one on a Sunday the Monday after (Independence 2027); New Year's Day 2028, a
//   Saturday, is not observed on Friday 2027-12-31 (which trades normally), as NYSE/CME do.
// - Dates outside 2026–2027 have only the regular week (no holiday knowledge): said by
//   `holidaysKnownThrough`.
// DST: every local time is converted through Intl (America/New_York), so 18:00 ET is 22:00 UTC in
// summer and 23:00 UTC in winter, and the DST Sunday (02:00 jump) is handled.

export type MarketGroup = 'equity' | 'energy' | 'metals';

/** Roots the calendar knows and their CME product group. */
export const GROUP_OF: Readonly<Record<string, MarketGroup>> = {
  ES: 'equity', MES: 'equity', NQ: 'equity', MNQ: 'equity', CL: 'energy', GC: 'metals',
};

interface HolidayRule {
  name: string;
  /** 'closed': no session; otherwise the ET close time of that date's session for the group. */
  equity: 'closed' | string;
  commodity: 'closed' | string;
  /** False when no settlement happens that date (the trade date moves to the next business day). */
  businessDay: boolean;
}

const closed = (name: string): HolidayRule => ({ name, equity: 'closed', commodity: 'closed', businessDay: false });
const halt = (name: string): HolidayRule => ({ name, equity: '13:00', commodity: '14:30', businessDay: false });
const early = (name: string): HolidayRule => ({ name, equity: '13:15', commodity: '13:45', businessDay: true });

/** CME Globex holidays and early closes, 2026–2027 (see the header for the source and the rules). */
export const HOLIDAYS: Readonly<Record<string, HolidayRule>> = {
  '2026-01-01': closed("New Year's Day"),
  '2026-01-19': halt('Martin Luther King Jr. Day'),
  '2026-02-16': halt("Presidents' Day"),
  '2026-04-03': { name: 'Good Friday', equity: '09:15', commodity: 'closed', businessDay: false },
  '2026-05-25': halt('Memorial Day'),
  '2026-06-19': halt('Juneteenth'),
  '2026-07-03': halt('Independence Day (observed)'),
  '2026-09-07': halt('Labor Day'),
  '2026-11-26': halt('Thanksgiving'),
  '2026-11-27': early('the day after Thanksgiving'),
  '2026-12-24': early('Christmas Eve'),
  '2026-12-25': closed('Christmas'),
  '2027-01-01': closed("New Year's Day"),
  '2027-01-18': halt('Martin Luther King Jr. Day'),
  '2027-02-15': halt("Presidents' Day"),
  '2027-03-26': closed('Good Friday'),
  '2027-05-31': halt('Memorial Day'),
  '2027-06-18': halt('Juneteenth (observed)'),
  '2027-07-05': halt('Independence Day (observed)'),
  '2027-09-06': halt('Labor Day'),
  '2027-11-25': halt('Thanksgiving'),
  '2027-11-26': early('the day after Thanksgiving'),
  '2027-12-24': closed('Christmas (observed)'),
};
export const holidaysKnownThrough = '2027-12-31';

const DAY = 86_400_000;
const ET = 'America/New_York';
const partsFmt = new Intl.DateTimeFormat('en-US', {
  timeZone: ET, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
});

// ---------------------------------------------------------------- civil dates in New York
// A civil date is a day number: days since 1970-01-01 (so arithmetic is plain integers).

interface EtParts { day: number; minutes: number }

/** New York's offset from UTC at `ms`, in ms (−4 h in summer, −5 h in winter), through Intl. */
function etOffsetUncached(ms: number): number {
  const p: Record<string, number> = {};
  for (const part of partsFmt.formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(ms / 1000) * 1000;
}

// Offsets cached per UTC hour: New York changes offset only on whole UTC hours (02:00 local), so
// one Intl call per hour seen keeps sweeps and the simulator's quote loop cheap.
const offsetCache = new Map<number, number>();
function etOffset(ms: number): number {
  const hour = Math.floor(ms / 3_600_000);
  let off = offsetCache.get(hour);
  if (off === undefined) {
    off = etOffsetUncached(hour * 3_600_000);
    if (offsetCache.size > 100_000) offsetCache.clear();
    offsetCache.set(hour, off);
  }
  return off;
}

/** New York civil date (day number) and minutes after local midnight at instant `ms`. */
export function etParts(ms: number): EtParts {
  const local = ms + etOffset(ms);
  const day = Math.floor(local / DAY);
  return { day, minutes: Math.floor((local - day * DAY) / 60_000) };
}

const instantCache = new Map<number, number>();
/** The instant of local New York time `hhmm` ("18:00") on civil day `day`. Cached: pure. */
export function etInstant(day: number, hhmm: string): number {
  const h = (hhmm.charCodeAt(0) - 48) * 10 + hhmm.charCodeAt(1) - 48;
  const m = (hhmm.charCodeAt(3) - 48) * 10 + hhmm.charCodeAt(4) - 48;
  const key = day * 1440 + h * 60 + m;
  const hit = instantCache.get(key);
  if (hit !== undefined) return hit;
  const wall = day * DAY + (h * 60 + m) * 60_000;
  // Two passes: the offset at the wall time read as UTC is at most one DST change away.
  let t = wall - etOffset(wall);
  t = wall - etOffset(t);
  if (instantCache.size > 50_000) instantCache.clear();
  instantCache.set(key, t);
  return t;
}

/** "2026-11-27" for a day number. */
export function isoDay(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

/** Day number of "2026-11-27". */
export function dayOf(iso: string): number {
  return Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** "Fri 2026-11-27 08:30 ET": how the companion tells a person a market time. */
export function formatEt(ms: number): string {
  const { day, minutes } = etParts(ms);
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${WEEKDAYS[weekday(day)]} ${isoDay(day)} ${hh}:${mm} ET`;
}

// ---------------------------------------------------------------- business days and sessions

const HOLIDAY_BY_DAY = new Map<number, HolidayRule>(Object.entries(HOLIDAYS).map(([iso, h]) => [dayOf(iso), h]));

export function holidayOn(day: number): HolidayRule | undefined {
  return HOLIDAY_BY_DAY.get(day);
}

/** A CME business (settlement) day: a weekday that is not a holiday without settlement. */
export function isBusinessDay(day: number): boolean {
  const w = weekday(day);
  if (w === 0 || w === 6) return false;
  return holidayOn(day)?.businessDay ?? true;
}

export function addBusinessDays(day: number, n: number): number {
  let d = day;
  const step = n < 0 ? -1 : 1;
  for (let left = Math.abs(n); left > 0; ) {
    d += step;
    if (isBusinessDay(d)) left--;
  }
  return d;
}

function groupOf(root: string): MarketGroup {
  const g = GROUP_OF[root.toUpperCase()];
  if (!g) throw new RangeError(`The market calendar does not know the root "${root}".`);
  return g;
}

/** ET close time of day `day`'s session for a group, or null when that date has no session. */
function closeTime(day: number, group: MarketGroup): string | null {
  const w = weekday(day);
  if (w === 0 || w === 6) return null;
  const h = holidayOn(day);
  if (!h) return '17:00';
  const t = group === 'equity' ? h.equity : h.commodity;
  return t === 'closed' ? null : t;
}

export interface Session {
  /** The session's date (NT8's trade date), "2026-11-27". */
  date: string;
  /** 18:00 ET on the calendar day before `date`. */
  start: number;
  /** The close: 17:00 ET, or the holiday early close. */
  end: number;
  /** Start of the next session; [end, nextStart) is closed time that still belongs to this session. */
  nextStart: number;
}

function sessionDay(day: number, group: MarketGroup): { start: number; end: number } | null {
  const close = closeTime(day, group);
  if (close === null) return null;
  return { start: etInstant(day - 1, '18:00'), end: etInstant(day, close) };
}

/** The first day ≥ `day` that has a session (at most a few days away). */
function nextSessionDay(day: number, group: MarketGroup): number {
  let d = day;
  while (!sessionDay(d, group)) d++;
  return d;
}

/** The date whose session would contain `ms` if it were a trading day: after 18:00 ET, the next day. */
function candidateDay(ms: number): number {
  const { day, minutes } = etParts(ms);
  return minutes >= 18 * 60 ? day + 1 : day;
}

/**
 * The session containing `ms`: start ≤ ms < nextStart. A closed instant (break, weekend, holiday)
 * belongs to the session before it, as NT8 keeps the last session's values until the next starts.
 * `root` matters only for the early-close time; the default is the equity index schedule.
 */
export function sessionOf(ms: number, root = 'ES'): Session {
  const group = groupOf(root);
  let d = candidateDay(ms);
  let s = sessionDay(d, group);
  while (!s || s.start > ms) {
    d--;
    s = sessionDay(d, group);
  }
  const next = nextSessionDay(d + 1, group);
  return { date: isoDay(d), start: s.start, end: s.end, nextStart: sessionDay(next, group)!.start };
}

/** True while CME Globex trades `root` at `ms`. */
export function isOpen(root: string, ms: number): boolean {
  const s = sessionOf(ms, root);
  return ms >= s.start && ms < s.end;
}

/** The next instant after `ms` at which `root` opens (a session start). */
export function nextOpen(root: string, ms: number): number {
  return sessionOf(ms, root).nextStart;
}

/** The next close after `ms`: the current session's end when open, else the next session's end. */
export function nextClose(root: string, ms: number): number {
  const s = sessionOf(ms, root);
  if (ms < s.end) return s.end;
  return sessionOf(s.nextStart, root).end;
}

/**
 * A plain sentence for a closed market ("CME Globex is closed for Thanksgiving; ES reopens Thu
 * 2026-11-26 18:00 ET."), or null when `root` is trading at `ms`.
 */
export function describeClosed(root: string, ms: number): string | null {
  if (isOpen(root, ms)) return null;
  const R = root.toUpperCase();
  const reopen = `${R} reopens ${formatEt(nextOpen(R, ms))}`;
  const { day, minutes } = etParts(ms);
  const cand = candidateDay(ms);
  const candHoliday = holidayOn(cand);
  const today = holidayOn(day);
  if (candHoliday && closeTime(cand, groupOf(R)) === null) return `CME Globex is closed for ${candHoliday.name}; ${reopen}.`;
  if (today && minutes < 18 * 60 && closeTime(day, groupOf(R)) !== null) {
    return `CME Globex closed early for ${today.name}; ${reopen}.`;
  }
  if (today && closeTime(day, groupOf(R)) === null) return `CME Globex is closed for ${today.name}; ${reopen}.`;
  const w = weekday(day);
  if (w === 6 || w === 0 || (w === 5 && minutes >= 17 * 60)) return `CME Globex is closed for the weekend; ${reopen}.`;
  return `CME Globex is in its daily maintenance break (17:00–18:00 ET); ${reopen}.`;
}

/** How a simulator trades: the real CME calendar, or around the clock like NT8's Simulated Data Feed. */
export type MarketHours = 'cme' | '24x7';

/** A calendar view honouring the simulator's hours option. */
export function marketHours(mode: MarketHours) {
  return {
    mode,
    isOpen: (root: string, ms: number) => mode === '24x7' || isOpen(root, ms),
    describeClosed: (root: string, ms: number) => (mode === '24x7' ? null : describeClosed(root, ms)),
  };
}
