// CME futures sessions start at 18:00 America/New_York; watermarks reset there.
const fmt = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  timeZoneName: 'longOffset',
});

/** UTC offset of New York at instant `ms`, in minutes (e.g. -300 in winter, -240 in summer). */
function nyOffsetMinutes(ms: number): number {
  const tz = fmt.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(tz);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

function nyDate(ms: number): { y: number; m: number; d: number } {
  const parts = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day) };
}

/** 18:00 New York time on the given New York calendar date, as epoch ms (DST-correct). */
function sixPmNy(y: number, m: number, d: number): number {
  const guess = Date.UTC(y, m - 1, d, 18, 0, 0);
  // Local 18:00 = UTC 18:00 - offset; the offset of that instant decides (DST changes at 02:00).
  return guess - nyOffsetMinutes(guess - 5 * 3600_000) * 60_000;
}

/** Start of the trading session containing `ms`: the most recent 18:00 America/New_York. */
export function sessionStart(ms: number): number {
  const { y, m, d } = nyDate(ms);
  const today = sixPmNy(y, m, d);
  if (today <= ms) return today;
  const prev = nyDate(today - 24 * 3600_000);
  return sixPmNy(prev.y, prev.m, prev.d);
}
