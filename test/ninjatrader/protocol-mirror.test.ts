import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAddonMessage } from '../../src/ninjatrader/protocol.ts';
import type { Order } from '../../src/ninjatrader/protocol.ts';
import { Mirror } from '../../src/ninjatrader/mirror.ts';
import { SimEngine } from '../../src/simulator/engine.ts';

const quote = { instrument: 'ES 12-26', bid: 5000, ask: 5000.25, last: 5000, volume: 10, time: '2026-11-02T15:00:00.000Z' };

test('schemas accept well-formed messages and reject malformed ones with a reason', () => {
  assert.equal(parseAddonMessage({ v: 1, type: 'event', seq: 3, event: { kind: 'quote', quote } }).ok, true);
  assert.equal(parseAddonMessage({ v: 1, type: 'pong' }).ok, true);
  assert.equal(parseAddonMessage({ v: 1, type: 'response', id: 'c1', ok: false, error: { code: 'invalid_order', message: 'x' } }).ok, true);
  const bad: [unknown, RegExp][] = [
    [null, /not a JSON object/],
    [[1, 2], /not a JSON object/],
    [{ v: 1, type: 'nonsense' }, /unknown message type/],
    [{ v: 2, type: 'pong' }, /invalid pong/],
    [{ v: 1, type: 'event', seq: 3, event: { kind: 'quote', quote: { ...quote, bid: 'cheap' } } }, /event\.quote\.bid/],
    [{ v: 1, type: 'event', seq: -1, event: { kind: 'quote', quote } }, /seq/],
    [{ v: 1, type: 'event', seq: 1, event: { kind: 'weather' } }, /invalid event/],
    [{ v: 1, type: 'response', id: 'c1', ok: true }, /invalid response/],
    [{ v: 1, type: 'snapshot', seq: 0, accounts: [], positions: [], orders: {}, executions: [], quotes: [] }, /invalid snapshot message: orders/],
  ];
  for (const [raw, re] of bad) {
    const r = parseAddonMessage(raw);
    assert.equal(r.ok, false, JSON.stringify(raw));
    if (!r.ok) assert.match(r.error, re);
  }
  // A snapshot is validated record by record: a bad record is left out and reported, the rest stays.
  const snap = parseAddonMessage({ v: 1, type: 'snapshot', seq: 0, accounts: [], positions: [], orders: [{ orderId: 'X1' }], executions: [], quotes: [quote] });
  assert.ok(snap.ok && snap.message.type === 'snapshot');
  if (snap.ok && snap.message.type === 'snapshot') {
    assert.equal(snap.message.orders.length, 0);
    assert.equal(snap.message.quotes.length, 1);
    assert.equal(snap.message.skipped.length, 1);
    assert.match(snap.message.skipped[0]!.message, /^skipped order 1 of 1 \(orderId "X1"\): name: /);
  }
});

test('mirror: snapshot then events; queries by account, working, id or name', () => {
  const e = new SimEngine({ startTime: Date.UTC(2026, 10, 2, 15), seed: 1 });
  e.setQuote('ES', 5000);
  const r1 = e.handle('placeOrder', { account: 'Sim101', instrument: 'ES', action: 'Buy', orderType: 'Market', quantity: 1, timeInForce: 'Gtc', name: 'a' });
  const m = new Mirror(() => 42);
  assert.equal(m.stale, true);
  m.replace(e.snapshot());
  assert.equal(m.stale, false);
  assert.equal(m.lastUpdate, 42);
  assert.deepEqual(m.accounts().map((a) => a.name), ['Sim101', 'Sim102']);
  assert.equal(m.positions('Sim101').length, 1);
  assert.equal(m.order('Sim101', 'a')?.state, 'Filled');
  assert.ok(r1.ok);
  const r2 = e.handle('placeOrder', { account: 'Sim102', instrument: 'ES', action: 'Buy', orderType: 'Limit', limitPrice: 4990, quantity: 1, timeInForce: 'Gtc', name: 'b' });
  assert.ok(r2.ok);
  for (const ev of r2.events) m.apply(ev);
  assert.equal(m.orders('Sim102', { working: true }).length, 1);
  assert.equal(m.orders(undefined, { working: false }).length, 1);
  assert.equal(m.orders().length, 2);
  assert.equal(m.order('Sim102', r2.result.order.orderId)?.name, 'b');
  assert.equal(m.order('Sim101', 'b'), undefined, 'names are per account');
  // Closing the position removes it; executions filter by order id.
  const r3 = e.handle('flatten', { account: 'Sim101' });
  assert.ok(r3.ok);
  for (const ev of r3.events) m.apply(ev);
  assert.deepEqual(m.positions('Sim101'), []);
  assert.equal(m.executions('Sim101').length, 2);
  assert.equal(m.executions('Sim101', { orderId: r3.result.orders[0]!.orderId }).length, 1);
  assert.deepEqual(m.account('Sim101')!.items, e.account('Sim101')!.items);
  // Quotes replace in place; connection updates touch the accounts on that connection.
  for (const ev of e.tick(Date.UTC(2026, 10, 2, 15, 1))) m.apply(ev);
  assert.deepEqual(m.quote('ES 12-26'), e.quote('ES'));
  m.apply({ kind: 'connection', connection: { connection: 'Simulated Data Feed', status: 'ConnectionLost' } });
  assert.equal(m.account('Sim102')!.connectionStatus, 'ConnectionLost');
});

test('mirror re-keys an order whose NT8 id changed (previousOrderId)', () => {
  const m = new Mirror();
  const o: Order = {
    orderId: 'A1', name: 'client-1', account: 'Sim101', instrument: 'ES 12-26', action: 'Buy', orderType: 'Limit', timeInForce: 'Day',
    quantity: 1, filled: 0, averageFillPrice: 0, limitPrice: 5000, stopPrice: null, ocoId: null, state: 'Working', time: 't',
  };
  m.apply({ kind: 'order', order: o });
  m.apply({ kind: 'order', order: { ...o, orderId: 'B2' }, previousOrderId: 'A1' });
  assert.equal(m.orders().length, 1);
  assert.equal(m.order('Sim101', 'client-1')?.orderId, 'B2');
  assert.equal(m.order('Sim101', 'A1'), undefined);
});

test('mirror applies 200k quote events quickly (O(1), no copies)', () => {
  const m = new Mirror();
  const events = Array.from({ length: 6 }, (_, i) => ({ kind: 'quote' as const, quote: { ...quote, instrument: `I${i}` } }));
  const t0 = performance.now();
  for (let i = 0; i < 200_000; i++) m.apply(events[i % 6]!);
  const ms = performance.now() - t0;
  assert.equal(m.allQuotes().length, 6);
  assert.ok(ms < 2000, `took ${ms} ms`); // generous bound: a regression to O(n) would take far longer
});
