import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPrice, INSTRUMENTS, isOnTick, resolveInstrument, roundToTick } from '../../src/ninjatrader/instruments.ts';

const NOV_2_2026 = new Date(Date.UTC(2026, 10, 2, 15));

test('contract specs: tick value = tick size × point value', () => {
  const expected = { ES: [0.25, 12.5, 50], MES: [0.25, 1.25, 5], NQ: [0.25, 5, 20], MNQ: [0.25, 0.5, 2], CL: [0.01, 10, 1000], GC: [0.1, 10, 100] };
  for (const [root, [tick, tickValue, pointValue]] of Object.entries(expected)) {
    const s = INSTRUMENTS[root as keyof typeof INSTRUMENTS];
    assert.deepEqual([s.tickSize, s.tickValue, s.pointValue], [tick, tickValue, pointValue], root);
    assert.equal(Number((s.tickSize * s.pointValue).toFixed(6)), s.tickValue, root);
  }
});

test('"ES", "ES 12-26", "esz26", "ESZ6" all resolve to ES 12-26', () => {
  for (const input of ['ES', 'es', ' ES 12-26 ', 'ES 12-2026', 'ESZ26', 'esz26', 'ESZ6']) {
    const r = resolveInstrument(input, NOV_2_2026);
    assert.ok(r, input);
    assert.equal(r.contract, 'ES 12-26', input);
    assert.equal(r.root, 'ES');
    assert.equal(r.spec.pointValue, 50);
  }
  assert.equal(resolveInstrument('MNQH27', NOV_2_2026)?.contract, 'MNQ 03-27');
  assert.equal(resolveInstrument('CL', NOV_2_2026)?.contract, 'CL 12-26');
  assert.equal(resolveInstrument('GC', NOV_2_2026)?.contract, 'GC 12-26');
});

test('unknown roots, unlisted months, expired contracts and junk resolve to null', () => {
  for (const input of ['', 'ZB', 'ES 11-26', 'ESX26', 'ES 12-20', 'ESZ20', 'ES 13-26', 'ES12-26', 'E S', '../ES', 'ES 12-26; drop']) {
    assert.equal(resolveInstrument(input, NOV_2_2026), null, input);
  }
});

test('equity index front month rolls 8 days before expiry, at the session start of the roll date', () => {
  // Third Friday of Dec 2026 = 18 Dec (expiry 09:30 ET); NT8 rollover Thu 10 Dec, whose session
  // starts Wed 9 Dec 18:00 ET = 23:00 UTC.
  assert.equal(resolveInstrument('ES', Date.UTC(2026, 11, 9, 22, 59))?.contract, 'ES 12-26');
  assert.equal(resolveInstrument('ES', Date.UTC(2026, 11, 9, 23, 0))?.contract, 'ES 03-27');
  // Still tradable by name until trading terminates at 09:30 ET on the third Friday.
  assert.equal(resolveInstrument('ES 12-26', Date.UTC(2026, 11, 18, 14, 29))?.contract, 'ES 12-26');
  assert.equal(resolveInstrument('ES 12-26', Date.UTC(2026, 11, 18, 14, 30)), null);
  assert.equal(resolveInstrument('NQ', new Date(Date.UTC(2027, 0, 5)))?.contract, 'NQ 03-27');
});

test('CL rolls the business day before its expiry (3 business days before the 25th), holidays counted', () => {
  // CL 12-26: the 25th (Wed) is a business day → expiry Fri 20 Nov; roll Thu 19 Nov (session from Wed 18:00 ET).
  assert.equal(resolveInstrument('CL', Date.UTC(2026, 10, 18, 22, 59))?.contract, 'CL 12-26');
  assert.equal(resolveInstrument('CL', Date.UTC(2026, 10, 18, 23, 0))?.contract, 'CL 01-27');
  assert.equal(resolveInstrument('CL 12-26', Date.UTC(2026, 10, 20, 19, 29))?.contract, 'CL 12-26');
  assert.equal(resolveInstrument('CL 12-26', Date.UTC(2026, 10, 20, 19, 30)), null);
  // CL 01-27: 25 Dec is Christmas → 4 business days before: Mon 21 Dec; roll Fri 18 Dec.
  assert.equal(resolveInstrument('CL', Date.UTC(2026, 11, 17, 22, 59))?.contract, 'CL 01-27');
  assert.equal(resolveInstrument('CL', Date.UTC(2026, 11, 17, 23, 0))?.contract, 'CL 02-27');
  assert.equal(resolveInstrument('CL 01-27', Date.UTC(2026, 11, 21, 19, 29))?.contract, 'CL 01-27');
});

test('GC trades its active months and rolls on the third-last business day of the month before', () => {
  // November 2026: 30 (Mon), 27 (Fri, early close), 25 (Wed; 26 is Thanksgiving) → roll Wed 25 Nov.
  assert.equal(resolveInstrument('GC', Date.UTC(2026, 10, 24, 22, 59))?.contract, 'GC 12-26');
  assert.equal(resolveInstrument('GC', Date.UTC(2026, 10, 24, 23, 0))?.contract, 'GC 02-27');
  assert.equal(resolveInstrument('GC 01-27', Date.UTC(2026, 10, 2)), null, 'January is not an active GC month');
  // Expiry: third-last business day of December 2026 = Tue 29 Dec, 13:30 ET.
  assert.equal(resolveInstrument('GC 12-26', Date.UTC(2026, 11, 29, 18, 29))?.contract, 'GC 12-26');
  assert.equal(resolveInstrument('GC 12-26', Date.UTC(2026, 11, 29, 18, 30)), null);
});

test('roundToTick, isOnTick and formatPrice', () => {
  assert.equal(roundToTick(6000.13, 0.25), 6000.25);
  assert.equal(roundToTick(6000.12, 0.25), 6000);
  assert.equal(roundToTick(70.005 + 0.0001, 0.01), 70.01);
  assert.equal(roundToTick(0.1 + 0.2, 0.1), 0.3);
  assert.equal(roundToTick(2600.06, 0.1), 2600.1);
  assert.ok(isOnTick(2600.3, 0.1));
  assert.ok(isOnTick(70.07, 0.01));
  assert.ok(!isOnTick(6000.1, 0.25));
  assert.equal(formatPrice(5000, INSTRUMENTS.ES), '5000.00');
  assert.equal(formatPrice(2600.1, INSTRUMENTS.GC), '2600.1');
});

test('a root follows the months the link quotes: the calendar front when quoted, else what NinjaTrader still streams', async () => {
  const { resolveQuoted } = await import('../../src/ninjatrader/instruments.ts');
  const rollWeek = Date.UTC(2026, 11, 10, 15);
  assert.equal(resolveQuoted('ES', rollWeek, ['ES 12-26', 'ES 03-27', 'NQ 03-27'])?.contract, 'ES 03-27');
  assert.equal(resolveQuoted('ES', rollWeek, [])?.contract, 'ES 03-27', 'nothing quoted (link down): the calendar decides');
  assert.equal(resolveQuoted('ES', rollWeek, ['ES 12-26', 'NQ 03-27'])?.contract, 'ES 12-26', 'NT8 has not rolled yet: quote what it streams');
  assert.equal(resolveQuoted('ES', Date.UTC(2026, 11, 7, 15), ['ES 03-27'])?.contract, 'ES 03-27', 'NT8 rolled early: follow it');
  assert.equal(resolveQuoted('es 12-26', rollWeek, ['ES 03-27'])?.contract, 'ES 12-26', 'an explicit month is taken as given');
  assert.equal(resolveQuoted('ES', Date.UTC(2026, 11, 19), ['ES 12-26'])?.contract, 'ES 03-27', 'an expired quote is ignored');
});

test('an instrument that does not resolve is explained: expired (with the front month), unlisted month, unknown root', async () => {
  const { explainUnresolved } = await import('../../src/ninjatrader/instruments.ts');
  const march2027 = Date.UTC(2027, 2, 5, 15); // ES 12-26 expired on 2026-12-18
  assert.equal(
    explainUnresolved('ES 12-26', march2027),
    'ES 12-26 expired on 2026-12-18; the front month now is ES 03-27 ("ES" always means the front month).',
  );
  assert.match(explainUnresolved('esz26', march2027), /^ES 12-26 expired on 2026-12-18/);
  assert.equal(explainUnresolved('GC 03-27', march2027), 'GC has no Mar contract: it lists Feb, Apr, Jun, Aug, Oct, Dec. The front month now is GC 04-27.');
  assert.match(explainUnresolved('ZZ', march2027), /^Unknown instrument "ZZ"\. Use a root \(ES, MES, NQ, MNQ, CL, GC\), a contract like "ES 03-27", or a symbol like "ESH27"\.$/);
  assert.match(explainUnresolved('ES 13-27', march2027), /there is no month 13/);
});
