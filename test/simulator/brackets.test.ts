// Brackets and ATM strategies in the simulator: exits submitted on the entry's fill as OCO pairs,
// resized on partial fills, cancelled when the position is closed by other means (issue 11).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimEngine } from '../../src/simulator/engine.ts';
import type { Order } from '../../src/ninjatrader/protocol.ts';
import { isTerminal } from '../../src/ninjatrader/protocol.ts';

const T0 = Date.UTC(2026, 10, 2, 15, 0, 0); // Monday 2 Nov 2026, 10:00 New York (market open)

function engine(): SimEngine {
  const e = new SimEngine({ startTime: T0, seed: 7 });
  e.setQuote('ES', 6000, { nowMs: T0 }); // bid 6000.00, ask 6000.25, last 6000.00
  return e;
}
function place(e: SimEngine, p: Record<string, unknown>) {
  return e.handle('placeOrder', { account: 'Sim101', instrument: 'ES', timeInForce: 'Gtc', quantity: 1, action: 'Buy', orderType: 'Market', ...p }, T0);
}
function ok<T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> {
  if (!r.ok) assert.fail(`expected ok, got ${JSON.stringify((r as unknown as { error: unknown }).error)}`);
  return r as Extract<T, { ok: true }>;
}
const live = (e: SimEngine): Order[] => e.orders('Sim101').filter((o) => !isTerminal(o.state));
const byName = (e: SimEngine, name: string): Order => {
  const found = e.orders('Sim101').filter((o) => o.name === name);
  assert.equal(found.length, 1, `one order named ${name}`);
  return found[0]!;
};
const position = (e: SimEngine) => e.positions('Sim101').find((p) => p.instrument === 'ES 12-26');

test('a bracketed market entry fills and leaves a stop and a target in one OCO, named as children of the entry', () => {
  const e = engine();
  ok(place(e, { name: 'entry-1', stopLoss: { ticks: 8 }, takeProfit: { price: 6010 } }));
  assert.equal(byName(e, 'entry-1').state, 'Filled');
  const exits = live(e);
  assert.equal(exits.length, 2);
  const stop = exits.find((o) => o.orderType === 'StopMarket')!;
  const target = exits.find((o) => o.orderType === 'Limit')!;
  assert.equal(stop.name, 'Stop loss');
  assert.equal(stop.action, 'Sell');
  assert.equal(stop.stopPrice, 6000.25 - 8 * 0.25, '8 ticks below the fill at the ask');
  assert.equal(stop.state, 'Accepted');
  assert.equal(target.name, 'Profit target');
  assert.equal(target.limitPrice, 6010);
  assert.equal(target.state, 'Working');
  assert.ok(stop.ocoId !== null && stop.ocoId === target.ocoId, 'one OCO group');
  assert.equal(stop.bracketOf, 'entry-1');
  assert.equal(target.bracketOf, 'entry-1');
  assert.equal(stop.quantity, 1);
});

test('the target fills and the stop is cancelled; the position is flat', () => {
  const e = engine();
  ok(place(e, { name: 'entry-2', stopLoss: { ticks: 8 }, takeProfit: { ticks: 16 } }));
  const events = e.setQuote('ES', 6004.5, { nowMs: T0 + 1000 });
  assert.equal(byName(e, 'Profit target').state, 'Filled');
  assert.equal(byName(e, 'Profit target').limitPrice, 6004.25);
  assert.equal(byName(e, 'Stop loss').state, 'Cancelled');
  assert.equal(live(e).length, 0);
  assert.equal(position(e), undefined);
  const exec = events.find((x) => x.kind === 'execution');
  assert.equal(exec?.kind === 'execution' && exec.execution.orderName, 'Profit target');
});

test('the stop fills and the target is cancelled', () => {
  const e = engine();
  ok(place(e, { name: 'entry-3', stopLoss: { ticks: 4 }, takeProfit: { ticks: 16 } }));
  e.setQuote('ES', 5999, { nowMs: T0 + 1000 });
  assert.equal(byName(e, 'Stop loss').state, 'Filled');
  assert.equal(byName(e, 'Profit target').state, 'Cancelled');
  assert.equal(position(e), undefined);
});

test('a partial fill sizes the exits to what filled, and each further fill resizes them', () => {
  const e = engine();
  e.setQuote('ES', 6000, { nowMs: T0, askSize: 10, bidSize: 10 });
  // A resting buy limit for 25: the market comes down to it with 10 displayed per quote.
  ok(place(e, { name: 'entry-4', orderType: 'Limit', limitPrice: 5990, quantity: 25, stopLoss: { ticks: 8 }, takeProfit: { ticks: 8 } }));
  assert.equal(live(e).length, 1, 'no exits before a fill');
  e.setQuote('ES', 5989.75, { nowMs: T0 + 1000, askSize: 10 }); // ask 5990.00
  const entry = byName(e, 'entry-4');
  assert.equal(entry.state, 'PartFilled');
  assert.equal(entry.filled, 10);
  assert.equal(byName(e, 'Stop loss').quantity, 10);
  assert.equal(byName(e, 'Profit target').quantity, 10);
  assert.equal(byName(e, 'Stop loss').stopPrice, 5988);
  e.setQuote('ES', 5989.75, { nowMs: T0 + 2000, askSize: 10 });
  assert.equal(byName(e, 'entry-4').filled, 20);
  assert.equal(byName(e, 'Stop loss').quantity, 20);
  assert.equal(byName(e, 'Profit target').quantity, 20);
  assert.equal(live(e).filter((o) => o.bracketOf === 'entry-4').length, 2, 'still one pair, resized');
});

test('a bracket whose stop is on the wrong side is refused before anything is placed', () => {
  const e = engine();
  const before = e.orders().length;
  const r = place(e, { name: 'bad-1', stopLoss: { price: 6005 }, takeProfit: { ticks: 8 } });
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.error.code, 'invalid_order');
  assert.match(!r.ok ? r.error.message : '', /stop loss 6005\.00 is on the wrong side of the entry 6000\.25 for a buy \(long\): it must be below it; nothing was placed/);
  const r2 = place(e, { name: 'bad-2', action: 'SellShort', orderType: 'Limit', limitPrice: 6010, takeProfit: { price: 6020 } });
  assert.equal(!r2.ok && r2.error.code, 'invalid_order');
  assert.equal(e.orders().length, before, 'nothing placed');
  assert.equal(r.events.length + r2.events.length, 0);
});

test('an ATM "2 Targets + Breakeven" entry of 2 produces Stop1/Target1 and Stop2/Target2 in two OCO pairs; target 1 moves the stop to breakeven', () => {
  const e = engine();
  const templates = ok(e.handle('listAtmTemplates', {}, T0)).result.templates;
  assert.ok(templates.some((t) => t.name === '1 Target + Stop'));
  ok(place(e, { name: 'atm-1', quantity: 2, atmTemplate: '2 Targets + Breakeven' }));
  assert.equal(byName(e, 'atm-1').atm, '2 Targets + Breakeven');
  const names = live(e).map((o) => o.name).sort();
  assert.deepEqual(names, ['Stop1', 'Stop2', 'Target1', 'Target2']);
  for (const o of live(e)) {
    assert.equal(o.atm, '2 Targets + Breakeven');
    assert.equal(o.bracketOf, 'atm-1');
    assert.equal(o.quantity, 1);
  }
  assert.equal(byName(e, 'Stop1').ocoId, byName(e, 'Target1').ocoId);
  assert.notEqual(byName(e, 'Stop1').ocoId, byName(e, 'Stop2').ocoId);
  assert.equal(byName(e, 'Target1').limitPrice, 6002.75);
  assert.equal(byName(e, 'Target2').limitPrice, 6005.25);
  assert.equal(byName(e, 'Stop1').stopPrice, 5997.75);
  const events = e.setQuote('ES', 6003, { nowMs: T0 + 1000 }); // through target 1
  assert.equal(byName(e, 'Target1').state, 'Filled');
  assert.equal(byName(e, 'Stop1').state, 'Cancelled');
  assert.equal(byName(e, 'Stop2').stopPrice, 6000.25, 'breakeven: the entry price');
  assert.equal(byName(e, 'Stop2').state, 'Accepted');
  assert.ok(events.some((x) => x.kind === 'execution' && x.execution.orderName === 'Target1'));
  assert.equal(position(e)?.quantity, 1);
});

test('an ATM entry of one contract on a two-target template works only the first pair', () => {
  const e = engine();
  ok(place(e, { name: 'atm-2', quantity: 1, atmTemplate: '2 Targets + Breakeven' }));
  assert.deepEqual(live(e).map((o) => o.name).sort(), ['Stop1', 'Target1']);
});

test('an unknown ATM template is refused and names the templates', () => {
  const e = engine();
  const r = place(e, { name: 'atm-3', atmTemplate: 'Nope' });
  assert.equal(!r.ok && r.error.code, 'invalid_order');
  assert.match(!r.ok ? r.error.message : '', /ATM strategy template 'Nope' does not exist \(templates: 1 Target \+ Stop, /);
  assert.equal(e.orders().length, 0);
});

test('flatten cancels the children and closes the position; closing by other means cancels them too', () => {
  const e = engine();
  ok(place(e, { name: 'atm-4', atmTemplate: '1 Target + Stop' }));
  assert.equal(live(e).length, 2);
  ok(e.handle('flatten', { account: 'Sim101', instrument: 'ES' }, T0));
  assert.equal(live(e).length, 0);
  assert.equal(position(e), undefined);

  ok(place(e, { name: 'brk-5', stopLoss: { ticks: 8 }, takeProfit: { ticks: 8 } }));
  assert.equal(live(e).length, 2);
  ok(place(e, { name: 'manual-close', action: 'Sell' })); // the person sells by hand
  assert.equal(position(e), undefined);
  assert.equal(live(e).length, 0, 'exits of a closed position are cancelled');
});

test('a short entry\'s bracket mirrors: BuyToCover stop above the fill, target below', () => {
  const e = engine();
  ok(place(e, { name: 'short-1', action: 'SellShort', quantity: 2, stopLoss: { ticks: 4 }, takeProfit: { price: 5995 } }));
  const stop = byName(e, 'Stop loss');
  const target = byName(e, 'Profit target');
  assert.equal(stop.action, 'BuyToCover');
  assert.equal(stop.stopPrice, 6001, '4 ticks above the fill at the bid 6000.00');
  assert.equal(target.limitPrice, 5995);
  assert.equal(stop.quantity, 2);
  e.setQuote('ES', 6001, { nowMs: T0 + 1000 });
  assert.equal(byName(e, 'Stop loss').state, 'Filled');
  assert.equal(byName(e, 'Profit target').state, 'Cancelled');
  assert.equal(position(e), undefined);
});
