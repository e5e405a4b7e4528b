// getBars 1.1 in the simulator: tick / second / minute / range / day periods with value, the last
// `count` or from/to, NT8 trading-hours templates, and bars only where the market traded (the CME
// calendar of src/market/calendar.ts): none while closed, none in the future.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimEngine } from '../../src/simulator/engine.ts';
import { methods, type Bar } from '../../src/ninjatrader/protocol.ts';
import { etParts, isOpen } from '../../src/market/calendar.ts';

const T0 = Date.UTC(2026, 10, 4, 15, 0, 30); // Wednesday 4 Nov 2026, 10:00:30 New York
const SAT = Date.UTC(2026, 10, 28, 15); // Saturday after Thanksgiving

function engine(start = T0, hours: 'cme' | '24x7' = 'cme'): SimEngine {
  return new SimEngine({ startTime: start, seed: 11, hours });
}

function bars(e: SimEngine, p: Record<string, unknown>, now?: number): { bars: Bar[]; tradingHours?: string } {
  const r = e.handle('getBars', { instrument: 'ES', ...p }, now);
  if (!r.ok) assert.fail(`getBars ${JSON.stringify(p)}: ${r.error.code}: ${r.error.message}`);
  return methods.getBars.result.parse(r.result);
}

function refused(e: SimEngine, p: Record<string, unknown>): { code: string; message: string } {
  const r = e.handle('getBars', { instrument: 'ES', ...p });
  assert.equal(r.ok, false, `expected a refusal for ${JSON.stringify(p)}`);
  return (r as unknown as { error: { code: string; message: string } }).error;
}

const ms = (b: Bar) => Date.parse(b.time);
const onTick = (x: number, tick = 0.25) => Math.abs(x / tick - Math.round(x / tick)) < 1e-9;

function wellFormed(list: Bar[], what: string): void {
  for (let i = 0; i < list.length; i++) {
    const b = list[i]!;
    assert.ok(b.low <= Math.min(b.open, b.close) && b.high >= Math.max(b.open, b.close), `${what} bar ${i} OHLC: ${JSON.stringify(b)}`);
    assert.ok([b.open, b.high, b.low, b.close].every((x) => onTick(x)), `${what} bar ${i} on ticks`);
    assert.ok(b.volume >= 1, `${what} bar ${i} has volume`);
    if (i > 0) assert.ok(ms(b) > ms(list[i - 1]!), `${what} bars oldest first, strictly: ${list[i - 1]!.time} then ${b.time}`);
  }
}

test('every period by count: the asked number, well formed, the newest ending at the live last price', () => {
  const e = engine();
  const last = e.quote('ES')!.last;
  for (const [period, value] of [['tick', 1], ['tick', 50], ['second', 1], ['second', 30], ['minute', 1], ['minute', 5], ['minute', 60], ['range', 4], ['day', 1]] as const) {
    const { bars: list, tradingHours } = bars(e, { period, value, count: 120 });
    assert.equal(list.length, 120, `${value} ${period}`);
    assert.equal(tradingHours, 'CME US Index Futures ETH', 'ES uses its own template by default');
    wellFormed(list, `${value} ${period}`);
    assert.equal(list.at(-1)!.close, last, `${value} ${period}: the developing bar closes at the last price`);
    assert.ok(list.every((b) => period === 'day' || ms(b) <= T0 + value * 60_000), 'no bar beyond the developing one');
  }
  // The same request twice, or on another engine with the same seed: the same bars.
  assert.deepEqual(bars(e, { period: 'minute', count: 300 }), bars(engine(), { period: 'minute', count: 300 }));
  assert.notDeepEqual(bars(e, { period: 'minute', count: 300 }).bars, bars(new SimEngine({ startTime: T0, seed: 12 }), { period: 'minute', count: 300 }).bars);
});

test('time bars are stamped with their end, aligned to the session start; the developing bar included', () => {
  const e = engine();
  const m = bars(e, { period: 'minute', count: 3 }).bars;
  assert.deepEqual(m.map((b) => b.time), ['2026-11-04T14:59:00.000Z', '2026-11-04T15:00:00.000Z', '2026-11-04T15:01:00.000Z']);
  // 45-minute bars from the 18:00 ET (23:00 UTC) session start: 23:45, 00:30, …
  const h = bars(e, { period: 'minute', value: 45, from: '2026-11-03T23:00:00Z', to: '2026-11-04T02:00:00Z' }).bars;
  assert.deepEqual(h.map((b) => b.time.slice(11, 16)), ['23:45', '00:30', '01:15', '02:00']);
  // 7-second bars from Tuesday 23:00:00 UTC: …, 15:00:17–24, then 15:00:24–31, developing at 15:00:30.
  const s = bars(e, { period: 'second', value: 7, count: 2 }).bars;
  assert.deepEqual(s.map((b) => b.time), ['2026-11-04T15:00:24.000Z', '2026-11-04T15:00:31.000Z']);
  // On a slot boundary nothing has traded in the new slot yet: the last bar is the complete one.
  assert.equal(bars(e, { period: 'second', value: 10, count: 1 }).bars[0]!.time, '2026-11-04T15:00:30.000Z');
});

test('from/to: every bar stamped in [from, to], exactly; more than 5000 is refused, not cut', () => {
  const e = engine();
  const list = bars(e, { period: 'minute', from: '2026-11-03T14:00:00Z', to: '2026-11-03T14:30:00Z' }).bars;
  assert.equal(list.length, 31, '14:00 through 14:30 inclusive');
  assert.equal(list[0]!.time, '2026-11-03T14:00:00.000Z');
  assert.equal(list.at(-1)!.time, '2026-11-03T14:30:00.000Z');
  // Bars at different periods follow one price path: 5-minute bars agree with the 1-minute bars they cover.
  const five = bars(e, { period: 'minute', value: 5, from: '2026-11-03T14:05:00Z', to: '2026-11-03T14:30:00Z' }).bars;
  for (const f of five) {
    const inside = list.filter((b) => ms(b) > ms(f) - 300_000 && ms(b) <= ms(f));
    assert.equal(inside.length, 5);
    assert.equal(f.open, inside[0]!.open, `${f.time} open`);
    assert.equal(f.close, inside.at(-1)!.close, `${f.time} close`);
  }
  // to defaults to now, developing bar included.
  const recent = bars(e, { period: 'minute', from: '2026-11-04T14:50:00Z' }).bars;
  assert.equal(recent.at(-1)!.time, '2026-11-04T15:01:00.000Z');
  assert.equal(recent.length, 12);
  assert.deepEqual(bars(e, { period: 'minute', from: '2026-11-05T00:00:00Z' }).bars, [], 'the future has no bars');
  const many = refused(e, { period: 'minute', from: '2026-10-01T00:00:00Z' });
  assert.equal(many.code, 'invalid_request');
  assert.match(many.message, /^More than 5000 minute bars lie between 2026-10-01T00:00:00.000Z and now; narrow the range or use a longer period\.$/);
  assert.match(refused(e, { period: 'minute', from: '2026-11-04T00:00:00Z', to: '2026-11-03T00:00:00Z' }).message, /from \(2026-11-04T00:00:00.000Z\) is after to/);
  assert.match(refused(e, { period: 'minute', from: 'yesterday' }).message, /from 'yesterday' is not an ISO date-time/);
  assert.match(refused(e, { period: 'minute', count: 5, from: '2026-11-04T00:00:00Z' }).message, /give exactly one of count or from/);
  assert.match(refused(e, { period: 'day', value: 2, count: 5 }).message, /Day bars come one per session in the simulator: value must be 1/);
  assert.match(refused(e, { period: 'week', count: 5 }).message, /^Invalid getBars parameters: period/);
});

test('no bars while the market is closed: none in the weekend, the daily break or a holiday; a closed market\'s last bar is the close', () => {
  const e = engine(SAT);
  const last = e.quote('ES')!.last;
  assert.deepEqual(bars(e, { period: 'minute', from: '2026-11-28T00:00:00Z', to: '2026-11-29T22:59:00Z' }).bars, [], 'Saturday and Sunday before 18:00 ET');
  const recent = bars(e, { period: 'minute', count: 10 }).bars;
  assert.equal(recent.at(-1)!.time, '2026-11-27T18:15:00.000Z', 'the day after Thanksgiving closed early, 13:15 ET');
  assert.equal(recent.at(-1)!.close, last, 'the market closed at the last price it still shows');
  // A week of 10-minute bars: none stamped while CME Globex was closed for ES.
  const week = bars(e, { period: 'minute', value: 10, from: '2026-11-22T00:00:00Z', to: '2026-11-28T00:00:00Z' }).bars;
  assert.ok(week.length > 400);
  wellFormed(week, '10-minute');
  for (const b of week) assert.ok(isOpen('ES', ms(b) - 1), `${b.time}: the market traded in the bar`);
  const { minutes } = etParts(Date.UTC(2026, 10, 23, 22, 30));
  assert.equal(minutes, 17 * 60 + 30);
  assert.ok(!week.some((b) => ms(b) > Date.UTC(2026, 10, 23, 22, 0) && ms(b) <= Date.UTC(2026, 10, 23, 23, 0)), 'nothing in Monday\'s 17:00–18:00 break');
  // Day bars: one per session; Christmas (closed) has none, Thanksgiving (halted early) has its own.
  const days = bars(engine(Date.UTC(2026, 11, 30, 15)), { period: 'day', from: '2026-11-20T00:00:00Z', to: '2026-12-29T00:00:00Z' }).bars;
  const dates = days.map((b) => b.time.slice(0, 10));
  assert.ok(dates.includes('2026-11-26') && dates.includes('2026-12-24'));
  assert.ok(!dates.includes('2026-12-25') && !dates.includes('2026-11-28') && !dates.includes('2026-11-29'), dates.join());
  assert.equal(dates.length, new Set(dates).size);
});

test('a day bar spans its session: it opens at the first minute bar and closes at the last', () => {
  const e = engine();
  const day = bars(e, { period: 'day', from: '2026-11-03T00:00:00Z', to: '2026-11-03T00:00:00Z' }).bars;
  assert.equal(day.length, 1);
  // Tuesday's session: Monday 18:00 ET (23:00 UTC) to Tuesday 17:00 ET (22:00 UTC), 1380 minutes.
  const minutes = [
    ...bars(e, { period: 'minute', from: '2026-11-02T23:01:00Z', to: '2026-11-03T10:00:00Z' }).bars,
    ...bars(e, { period: 'minute', from: '2026-11-03T10:01:00Z', to: '2026-11-03T22:00:00Z' }).bars,
  ];
  assert.equal(minutes.length, 1380);
  assert.equal(day[0]!.open, minutes[0]!.open);
  assert.equal(day[0]!.close, minutes.at(-1)!.close);
  assert.ok(day[0]!.high <= Math.max(...minutes.map((b) => b.high)) && day[0]!.low >= Math.min(...minutes.map((b) => b.low)));
});

test('trading-hours templates: RTH keeps 09:30–16:15 ET, 24 x 7 keeps whatever traded; unknown names are refused with the known ones', () => {
  const e = engine();
  const rth = bars(e, { period: 'minute', value: 15, count: 60, tradingHours: 'CME US Index Futures RTH' });
  assert.equal(rth.tradingHours, 'CME US Index Futures RTH');
  for (const b of rth.bars) {
    const { minutes } = etParts(ms(b));
    assert.ok(minutes > 9 * 60 + 30 && minutes <= 16 * 60 + 15, `${b.time} inside RTH`);
  }
  assert.ok(rth.bars.some((b) => b.time === '2026-11-03T21:15:00.000Z'), 'the RTH session ends at 16:15 ET');
  assert.equal(bars(e, { period: 'minute', count: 1, tradingHours: 'rth' }).tradingHours, 'CME US Index Futures RTH', 'RTH: the instrument\'s own');
  assert.equal(bars(e, { instrument: 'CL', period: 'minute', count: 1 }).tradingHours, 'Nymex Metals - Energy ETH');
  assert.equal(bars(e, { instrument: 'GC', period: 'minute', count: 1, tradingHours: '  nymex metals / energy rth ' }).tradingHours, 'Nymex Metals - Energy RTH');
  const unknown = refused(e, { period: 'minute', count: 5, tradingHours: 'CME US Index Futures XYZ' });
  assert.equal(unknown.code, 'invalid_request');
  assert.equal(unknown.message, "Unknown trading hours template 'CME US Index Futures XYZ'. The simulator knows: CME US Index Futures ETH, CME US Index Futures RTH, Nymex Metals - Energy ETH, Nymex Metals - Energy RTH, Default 24 x 7 (or ETH / RTH for the instrument's own).");
  // A 24 x 7 template cannot invent trades: on the CME calendar Saturday still has no bars…
  const sat = engine(SAT);
  assert.deepEqual(bars(sat, { period: 'minute', from: '2026-11-28T05:00:00Z', to: '2026-11-28T15:00:00Z', tradingHours: 'Default 24 x 7' }).bars, []);
  // …while a simulator trading around the clock has them under 24 x 7, and none under the ETH template.
  const allWeek = engine(SAT, '24x7');
  assert.equal(bars(allWeek, { period: 'minute', from: '2026-11-28T14:00:00Z', to: '2026-11-28T14:59:00Z', tradingHours: 'Default 24 x 7' }).bars.length, 60);
  assert.deepEqual(bars(allWeek, { period: 'minute', from: '2026-11-28T14:00:00Z', to: '2026-11-28T14:59:00Z' }).bars, []);
});

test('range bars: each complete bar spans exactly value ticks, the next opens one tick beyond; tick bars hold value trades', () => {
  const e = engine();
  const range = bars(e, { period: 'range', value: 6, count: 200 }).bars;
  assert.equal(range.length, 200);
  for (let i = 1; i < range.length - 1; i++) {
    const b = range[i]!;
    assert.equal(b.high - b.low, 6 * 0.25, `${b.time} range`);
    assert.ok(b.close === b.high || b.close === b.low, 'a range bar closes at its edge');
    const prev = range[i - 1]!;
    if (ms(b) - ms(prev) < 3_600_000) assert.equal(Math.abs(b.open - prev.close), 0.25, 'opens one tick beyond the last close');
  }
  assert.ok(range.at(-1)!.high - range.at(-1)!.low <= 1.5, 'the developing bar is within its range');
  const windowed = bars(e, { period: 'range', value: 6, from: range[100]!.time, to: range[150]!.time }).bars;
  assert.deepEqual(windowed, range.slice(100, 151), 'from/to picks the same bars');
  const ticks = bars(e, { period: 'tick', value: 40, count: 50 }).bars;
  for (const b of ticks.slice(0, -1)) assert.ok(b.volume >= 40, 'at least one contract per trade');
  assert.equal(ms(ticks[1]!) - ms(ticks[0]!), 40 * 250, 'the simulated feed trades every 250 ms');
  // Old range bars cost no more than recent ones (each session builds from its own start)…
  assert.ok(bars(e, { period: 'range', value: 4, from: '2026-09-01T00:00:00Z', to: '2026-09-01T01:00:00Z' }).bars.length > 0);
  // …but one request walks at most 30 sessions.
  assert.match(refused(e, { period: 'range', value: 4, from: '2026-10-01T00:00:00Z' }).message, /^More than 5000 4-tick range bars lie between/);
  assert.match(refused(e, { period: 'range', value: 400, from: '2026-09-01T00:00:00Z' }).message, /^A range-bar request covers at most 30 sessions in the simulator; 2026-09-01T00:00:00.000Z is further back than that from now\. Ask for a shorter span\.$/);
});
