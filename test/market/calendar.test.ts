// The CME Globex calendar and contract rolls: known dates, then invariants over two years swept
// every 37 minutes (deterministic; 37 is coprime with the hour, so every minute-of-hour phase and
// every time of day is visited over the sweep).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dayOf, describeClosed, etParts, HOLIDAYS, isBusinessDay, isOpen, nextClose, nextOpen, sessionOf, weekday,
} from '../../src/market/calendar.ts';
import { activeContracts, expiryOf, frontMonth, rollOf } from '../../src/market/contracts.ts';

const at = (iso: string) => Date.parse(iso);
const ROOTS = ['ES', 'MES', 'NQ', 'MNQ', 'CL', 'GC'];

test('the regular week: Sunday 18:00 ET open, daily 17:00–18:00 break, Friday 17:00 close, DST via New York time', () => {
  // Winter (EST, UTC−5): Sunday 6 Dec 2026.
  assert.equal(isOpen('ES', at('2026-12-06T22:59:00Z')), false);
  assert.equal(isOpen('ES', at('2026-12-06T23:00:00Z')), true);
  assert.equal(isOpen('ES', at('2026-12-07T21:59:00Z')), true, 'Mon 16:59 ET');
  assert.equal(isOpen('ES', at('2026-12-07T22:00:00Z')), false, 'Mon 17:00 ET: break');
  assert.equal(isOpen('ES', at('2026-12-07T23:00:00Z')), true, 'Mon 18:00 ET');
  assert.equal(isOpen('CL', at('2026-12-11T22:00:00Z')), false, 'Fri 17:00 ET: weekend');
  // Summer (EDT, UTC−4): the same wall times are an hour earlier in UTC.
  assert.equal(isOpen('ES', at('2026-06-08T21:00:00Z')), false, 'Mon 17:00 EDT');
  assert.equal(isOpen('ES', at('2026-06-08T22:00:00Z')), true, 'Mon 18:00 EDT');
  // DST starts Sunday 8 Mar 2026 at 02:00: Globex opens 18:00 EDT = 22:00 UTC that evening.
  assert.equal(nextOpen('ES', at('2026-03-07T12:00:00Z')), at('2026-03-08T22:00:00Z'));
  // DST ends Sunday 1 Nov 2026: 18:00 EST = 23:00 UTC.
  assert.equal(nextOpen('ES', at('2026-10-31T12:00:00Z')), at('2026-11-01T23:00:00Z'));
});

test('holidays and early closes say plainly when the market reopens', () => {
  assert.equal(describeClosed('ES', at('2026-12-25T15:00:00Z')), 'CME Globex is closed for Christmas; ES reopens Sun 2026-12-27 18:00 ET.');
  assert.equal(describeClosed('ES', at('2026-11-28T15:00:00Z')), 'CME Globex is closed for the weekend; ES reopens Sun 2026-11-29 18:00 ET.');
  assert.equal(describeClosed('ES', at('2026-11-26T19:00:00Z')), 'CME Globex closed early for Thanksgiving; ES reopens Thu 2026-11-26 18:00 ET.');
  assert.equal(describeClosed('CL', at('2026-11-26T19:00:00Z')), null, 'energy halts at 14:30 ET on Thanksgiving');
  assert.equal(isOpen('CL', at('2026-11-26T19:30:00Z')), false);
  assert.equal(isOpen('ES', at('2026-11-27T18:14:00Z')), true, 'Fri after Thanksgiving until 13:15 ET');
  assert.equal(isOpen('ES', at('2026-11-27T18:15:00Z')), false);
  assert.match(describeClosed('GC', at('2026-11-27T18:50:00Z'))!, /closed early for the day after Thanksgiving; GC reopens Sun 2026-11-29 18:00 ET/);
  assert.match(describeClosed('NQ', at('2027-01-01T15:00:00Z'))!, /closed for New Year's Day; NQ reopens Sun 2027-01-03 18:00 ET/);
  // Good Friday 2026 is also jobs-report day: equity index futures trade until 09:15 ET, energy and metals not at all.
  assert.equal(isOpen('ES', at('2026-04-03T13:14:00Z')), true);
  assert.match(describeClosed('ES', at('2026-04-03T14:00:00Z'))!, /closed early for Good Friday; ES reopens Sun 2026-04-05 18:00 ET/);
  assert.match(describeClosed('CL', at('2026-04-03T12:00:00Z'))!, /closed for Good Friday; CL reopens Sun 2026-04-05 18:00 ET/);
  assert.match(describeClosed('ES', at('2027-03-26T14:00:00Z'))!, /closed for Good Friday; ES reopens Sun 2027-03-28 18:00 ET/);
  assert.match(describeClosed('ES', at('2026-12-08T22:30:00Z'))!, /daily maintenance break \(17:00–18:00 ET\); ES reopens Tue 2026-12-08 18:00 ET/);
  assert.equal(describeClosed('ES', at('2026-12-08T15:00:00Z')), null);
});

test('sessions: from 18:00 ET of the previous day; closed time belongs to the last session', () => {
  const s = sessionOf(at('2026-12-08T15:00:00Z')); // Tue 10:00 ET
  assert.deepEqual(s, { date: '2026-12-08', start: at('2026-12-07T23:00:00Z'), end: at('2026-12-08T22:00:00Z'), nextStart: at('2026-12-08T23:00:00Z') });
  const weekend = sessionOf(at('2026-11-28T15:00:00Z'));
  assert.equal(weekend.date, '2026-11-27', 'Saturday belongs to Friday\'s (early-closing) session');
  assert.equal(weekend.end, at('2026-11-27T18:15:00Z'));
  assert.equal(weekend.nextStart, at('2026-11-29T23:00:00Z'));
  assert.equal(sessionOf(at('2026-12-25T15:00:00Z')).date, '2026-12-24', 'no session on Christmas');
  assert.equal(sessionOf(at('2026-01-19T20:00:00Z')).date, '2026-01-19', 'MLK: a short session, then Tuesday\'s from 18:00');
  assert.equal(sessionOf(at('2026-01-19T23:30:00Z')).date, '2026-01-20');
  assert.equal(nextClose('ES', at('2026-12-24T12:00:00Z')), at('2026-12-24T18:15:00Z'), 'Christmas Eve closes 13:15 ET');
});

test('business days skip weekends and holidays without settlement, not early closes', () => {
  assert.equal(isBusinessDay(dayOf('2026-11-26')), false);
  assert.equal(isBusinessDay(dayOf('2026-11-27')), true);
  assert.equal(isBusinessDay(dayOf('2026-12-24')), true);
  assert.equal(isBusinessDay(dayOf('2026-12-25')), false);
  assert.equal(isBusinessDay(dayOf('2026-01-19')), false);
  assert.equal(isBusinessDay(dayOf('2026-11-28')), false);
  for (const d of Object.keys(HOLIDAYS)) assert.ok(weekday(dayOf(d)) >= 1 && weekday(dayOf(d)) <= 5, `${d} is a weekday`);
});

test('roll week: both ES months trade; the old one until 09:30 ET on the third Friday', () => {
  const names = (ms: number) => activeContracts('ES', ms).map((c) => `${c.month}-${c.year}`);
  assert.deepEqual(names(at('2026-12-09T15:00:00Z')), ['12-2026']);
  assert.deepEqual(names(at('2026-12-10T15:00:00Z')), ['3-2027', '12-2026']);
  assert.deepEqual(names(at('2026-12-18T14:29:00Z')), ['3-2027', '12-2026']);
  assert.deepEqual(names(at('2026-12-18T14:30:00Z')), ['3-2027']);
});

test('two years swept every 37 minutes: the calendar and the contract rolls keep their invariants', () => {
  const start = at('2026-01-01T00:00:00Z');
  const end = at('2028-01-01T00:00:00Z');
  const step = 37 * 60_000;
  let opens = 0;
  let closes = 0;
  let prevSession = sessionOf(start);
  const front: Record<string, string> = {};
  for (let ms = start; ms < end; ms += step) {
    const { day, minutes } = etParts(ms);
    const w = weekday(day);
    const iso = new Date(day * 86_400_000).toISOString().slice(0, 10);
    const holiday = HOLIDAYS[iso];
    for (const root of ['ES', 'CL']) {
      const open = isOpen(root, ms);
      if (open) opens++;
      else closes++;
      // Closed on weekends, in the daily break, and on full-closure holidays.
      if (w === 6 || (w === 0 && minutes < 18 * 60) || (w === 5 && minutes >= 17 * 60)) assert.equal(open, false, `${root} weekend ${iso}`);
      if (minutes >= 17 * 60 && minutes < 18 * 60) assert.equal(open, false, `${root} break ${iso}`);
      const rule = holiday && (root === 'ES' ? holiday.equity : holiday.commodity);
      if (rule === 'closed' && minutes < 17 * 60) assert.equal(open, false, `${root} ${holiday!.name}`);
      // Open means a plain-language reason is absent, and vice versa.
      assert.equal(describeClosed(root, ms) === null, open);
      // nextOpen is later and open; nextClose is later and the market is closed there.
      const no = nextOpen(root, ms);
      assert.ok(no > ms && isOpen(root, no), `${root} nextOpen after ${new Date(ms).toISOString()}`);
      assert.ok(!isOpen(root, no - 1), 'nextOpen is an opening edge');
      const nc = nextClose(root, ms);
      assert.ok(nc > ms && !isOpen(root, nc) && isOpen(root, nc - 1), `${root} nextClose after ${new Date(ms).toISOString()}`);
      if (open) assert.ok(nc < no, 'while open, the close comes before the next open');
    }
    // Sessions partition time: each instant is in exactly one, and they follow one another.
    const s = sessionOf(ms);
    assert.ok(s.start <= ms && ms < s.nextStart && s.start < s.end && s.end <= s.nextStart);
    if (s.start !== prevSession.start) {
      assert.equal(s.start, prevSession.nextStart, `sessions are contiguous at ${new Date(ms).toISOString()}`);
      prevSession = s;
    }
    // Contracts: the front month never expired, its roll comes before its expiry, and the
    // front month only moves forward.
    for (const root of ROOTS) {
      const f = frontMonth(root, ms);
      assert.ok(ms < rollOf(root, f) && rollOf(root, f) < expiryOf(root, f), `${root} front at ${new Date(ms).toISOString()}`);
      const key = `${f.year}-${String(f.month).padStart(2, '0')}`;
      assert.ok(front[root] === undefined || front[root]! <= key, `${root} front month moved back`);
      front[root] = key;
      for (const c of activeContracts(root, ms)) assert.ok(ms < expiryOf(root, c), `${root} active contract expired`);
    }
  }
  assert.ok(opens > 0 && closes > 0);
  // Rolls happen at session starts (18:00 ET the evening before the roll date).
  for (const root of ROOTS) {
    const f = frontMonth(root, at('2026-06-01T00:00:00Z'));
    const r = rollOf(root, f);
    assert.equal(sessionOf(r).start, r, `${root} rolls at a session start`);
  }
});
