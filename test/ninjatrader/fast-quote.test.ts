// The hand-written fast path for quote events must accept and produce exactly what the zod schema does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventMessage, parseAddonMessage } from '../../src/ninjatrader/protocol.ts';

const good = () => ({ v: 1, type: 'event', seq: 7, event: { kind: 'quote', quote: { instrument: 'ES 12-26', bid: 6000, ask: 6000.25, last: 6000, volume: 12, time: '2026-11-24T01:00:00.000Z' } } });

const mutations: [string, (m: any) => void][] = [
  ['extra key is stripped', (m) => (m.event.quote.extra = 1)],
  ['extra top-level key', (m) => (m.junk = true)],
  ['v 2', (m) => (m.v = 2)],
  ['seq negative', (m) => (m.seq = -1)],
  ['seq fractional', (m) => (m.seq = 1.5)],
  ['seq string', (m) => (m.seq = '7')],
  ['bid NaN-ish', (m) => (m.event.quote.bid = null)],
  ['ask string', (m) => (m.event.quote.ask = '6000')],
  ['last Infinity', (m) => (m.event.quote.last = Infinity)],
  ['volume negative', (m) => (m.event.quote.volume = -1)],
  ['empty instrument', (m) => (m.event.quote.instrument = '')],
  ['long instrument', (m) => (m.event.quote.instrument = 'x'.repeat(129))],
  ['time missing', (m) => delete m.event.quote.time],
  ['time too long', (m) => (m.event.quote.time = 't'.repeat(65))],
  ['quote missing', (m) => delete m.event.quote],
  ['kind other', (m) => (m.event.kind = 'quotes')],
  ['zero volume ok', (m) => (m.event.quote.volume = 0)],
  ['negative price ok (finite)', (m) => (m.event.quote.bid = -5)],
  // protocol 1.1 optional quote fields
  ['1.1 fields all set', (m) => Object.assign(m.event.quote, { bidSize: 3, askSize: 7, dailyHigh: 6010, dailyLow: 5990, dailyVolume: 123456, settlement: 5995.5 })],
  ['1.1 fields null', (m) => Object.assign(m.event.quote, { bidSize: null, askSize: null, dailyHigh: null, dailyLow: null, dailyVolume: null, settlement: null })],
  ['bidSize negative', (m) => (m.event.quote.bidSize = -1)],
  ['askSize string', (m) => (m.event.quote.askSize = '7')],
  ['dailyHigh string', (m) => (m.event.quote.dailyHigh = '6010')],
  ['dailyVolume negative', (m) => (m.event.quote.dailyVolume = -3)],
  ['settlement negative ok (finite)', (m) => (m.event.quote.settlement = -2)],
  ['settlement object', (m) => (m.event.quote.settlement = {})],
];

test('fast quote path agrees with the schema on valid and malformed quote events', () => {
  for (const [label, mutate] of [['valid', () => {}] as [string, (m: any) => void], ...mutations]) {
    const m = good();
    mutate(m);
    const viaSchema = EventMessage.safeParse(m);
    const viaParser = parseAddonMessage(JSON.parse(JSON.stringify(m)));
    assert.equal(viaParser.ok, viaSchema.success, label);
    if (viaParser.ok && viaSchema.success) assert.deepEqual(viaParser.message, viaSchema.data, label);
    if (!viaParser.ok) assert.match(viaParser.error, /invalid event message/, label);
  }
});
