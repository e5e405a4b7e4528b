// Trading-session boundaries for the simulator: CME futures close at 17:00 America/New_York (the
// daily maintenance break); Day orders still working then are cancelled. DST is handled through
// Intl (Node ships full ICU), so the boundary is 21:00 UTC in summer and 22:00 UTC in winter.
const fmt = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

function nyParts(ms: number): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const p: Record<string, number> = {};
  for (const part of fmt.formatToParts(new Date(ms))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return { y: p.year!, m: p.month!, d: p.day!, h: p.hour!, mi: p.minute!, s: p.second! };
}

/** New York's offset from UTC at `ms`, in ms (e.g. -4 h in summer). */
function nyOffset(ms: number): number {
  const p = nyParts(ms);
  const asUtc = Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The first 17:00 America/New_York strictly after `ms`. */
export function nextSessionEnd(ms: number): number {
  const p = nyParts(ms);
  for (let add = 0; add < 3; add++) {
    const guess = Date.UTC(p.y, p.m - 1, p.d + add, 17, 0, 0);
    const candidate = guess - nyOffset(guess);
    if (candidate > ms) return candidate;
  }
  throw new Error('unreachable');
}
