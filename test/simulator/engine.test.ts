import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimEngine } from '../../src/simulator/engine.ts';
import type { DomainEvent, OrderState } from '../../src/ninjatrader/protocol.ts';

const T0 = Date.UTC(2026, 10, 2, 15, 0, 0); // Monday 2 Nov 2026, 10:00 New York

function engine(): SimEngine {
  return new SimEngine({ startTime: T0, seed: 7 });
}

function states(events: DomainEvent[], orderId: string): OrderState[] {
  return events.flatMap((e) => (e.kind === 'order' && e.order.orderId === orderId ? [e.order.state] : []));
}

function place(e: SimEngine, p: Record<string, unknown>) {
  return e.handle('placeOrder', { account: 'Sim101', instrument: 'ES', timeInForce: 'Gtc', quantity: 1, ...p }, T0);
}

function ok<T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> {
  if (!r.ok) assert.fail(`expected ok, got ${JSON.stringify((r as unknown as { error: unknown }).error)}`);
  return r as Extract<T, { ok: true }>;
}

test('front-month contracts, start prices on ticks, one tick spread', () => {
  const e = engine();
  assert.deepEqual(e.contracts(), ['ES 12-26', 'MES 12-26', 'NQ 12-26', 'MNQ 12-26', 'CL 12-26', 'GC 12-26']);
  const es = e.quote('ES')!;
  assert.equal(es.bid, 6000);
  assert.equal(es.ask, 6000.25);
  assert.equal(e.quote('CL')!.ask, 70.01);
  assert.equal(e.quote('GC')!.ask, 2600.1);
});

test('the quote stream is reproducible from the seed and stays on ticks', () => {
  const a = new SimEngine({ startTime: T0, seed: 99 });
  const b = new SimEngine({ startTime: T0, seed: 99 });
  const c = new SimEngine({ startTime: T0, seed: 100 });
  let differs = false;
  for (let i = 1; i <= 200; i++) {
    const ea = a.tick(T0 + i * 250);
    const eb = b.tick(T0 + i * 250);
    const ec = c.tick(T0 + i * 250);
    assert.deepEqual(ea, eb);
    if (JSON.stringify(ea) !== JSON.stringify(ec)) differs = true;
  }
  assert.ok(differs, 'another seed gives another stream');
  for (const q of a.snapshot().quotes) {
    const tick = q.instrument.startsWith('CL') ? 0.01 : q.instrument.startsWith('GC') ? 0.1 : 0.25;
    assert.ok(Math.abs(q.bid / tick - Math.round(q.bid / tick)) < 1e-9, `${q.instrument} bid ${q.bid} on tick`);
    assert.equal(Number((q.ask - q.bid).toFixed(4)), tick, `${q.instrument} spread is one tick`);
  }
  const barsA = ok(a.handle('getBars', { instrument: 'ES', period: 'minute', count: 50 })).result.bars;
  const barsB = ok(b.handle('getBars', { instrument: 'ES', period: 'minute', count: 50 })).result.bars;
  assert.equal(barsA.length, 50);
  assert.deepEqual(barsA, barsB);
  assert.equal(barsA[49]!.close, a.quote('ES')!.last);
  for (const bar of barsA) assert.ok(bar.low <= Math.min(bar.open, bar.close) && bar.high >= Math.max(bar.open, bar.close));
});

test('market buy fills at the ask, sell at the bid; ES P&L in dollars', () => {
  const e = engine();
  e.setQuote('ES', 5000, { nowMs: T0 });
  const r = ok(place(e, { action: 'Buy', orderType: 'Market', name: 'c1' }));
  assert.deepEqual(states(r.events, r.result.order.orderId), ['Submitted', 'Accepted', 'Working', 'Filled']);
  assert.equal(r.result.order.state, 'Filled');
  assert.equal(r.result.order.averageFillPrice, 5000.25);
  const exec = r.events.find((x) => x.kind === 'execution');
  assert.ok(exec && exec.kind === 'execution');
  assert.equal(exec.execution.commission, 2.5);
  assert.equal(exec.execution.isEntry, true);
  assert.deepEqual(e.positions('Sim101'), [
    { account: 'Sim101', instrument: 'ES 12-26', marketPosition: 'Long', quantity: 1, averagePrice: 5000.25, unrealizedPnL: -12.5 },
  ]);
  e.setQuote('ES', 5010, { nowMs: T0 });
  assert.equal(e.positions('Sim101')[0]!.unrealizedPnL, 487.5); // (5010 − 5000.25) × 1 × $50
  assert.equal(e.account('Sim101')!.items.netLiquidation, 100_000 - 2.5 + 487.5);
  const s = ok(place(e, { action: 'Sell', orderType: 'Market', name: 'c2' }));
  assert.equal(s.result.order.averageFillPrice, 5010);
  assert.deepEqual(e.positions('Sim101'), []);
  const items = e.account('Sim101')!.items;
  assert.equal(items.grossRealizedPnL, 487.5);
  assert.equal(items.realizedPnL, 482.5); // minus 2 × $2.50
  assert.equal(items.cashValue, 100_482.5);
  assert.equal(items.unrealizedPnL, 0);
  assert.equal(items.netLiquidation, 100_482.5);
  assert.equal(e.account('Sim102')!.items.cashValue, 100_000, 'other account untouched');
});

test('CL P&L in dollars, long and short, with commissions', () => {
  const e = engine();
  e.setQuote('CL', 70, { nowMs: T0 }); // bid 70.00, ask 70.01
  ok(place(e, { instrument: 'CL', action: 'Buy', orderType: 'Market', quantity: 2, name: 'l1' }));
  e.setQuote('CL', 70.5, { nowMs: T0 });
  assert.equal(e.positions('Sim101')[0]!.unrealizedPnL, 980); // (70.50 − 70.01) × 2 × $1000
  ok(place(e, { instrument: 'CL', action: 'Sell', orderType: 'Market', quantity: 2, name: 'l2' }));
  let items = e.account('Sim101')!.items;
  assert.equal(items.grossRealizedPnL, 980);
  assert.equal(items.realizedPnL, 970);
  assert.equal(items.cashValue, 100_970);
  // Short 1 at 70.50 (bid), cover at 70.26 (ask after price 70.25): +0.24 × $1000.
  ok(place(e, { instrument: 'CL', action: 'SellShort', orderType: 'Market', quantity: 1, name: 's1' }));
  e.setQuote('CL', 70.25, { nowMs: T0 });
  assert.deepEqual(e.positions('Sim101')[0], {
    account: 'Sim101', instrument: 'CL 12-26', marketPosition: 'Short', quantity: 1, averagePrice: 70.5, unrealizedPnL: 250,
  });
  ok(place(e, { instrument: 'CL', action: 'BuyToCover', orderType: 'Market', quantity: 1, name: 's2' }));
  items = e.account('Sim101')!.items;
  assert.equal(items.grossRealizedPnL, 980 + 240);
  assert.equal(items.realizedPnL, 1220 - 15);
  assert.equal(items.cashValue, 101_205);
});

test('micro commission is $0.62 per contract', () => {
  const e = engine();
  const r = ok(place(e, { instrument: 'MES', action: 'Buy', orderType: 'Market', quantity: 3, name: 'm1' }));
  const exec = r.events.find((x) => x.kind === 'execution');
  assert.ok(exec?.kind === 'execution');
  assert.equal(exec.execution.commission, 1.86);
});

test('limit order: works, then fills at the limit when the market reaches it', () => {
  const e = engine();
  e.setQuote('ES', 5000, { nowMs: T0 });
  const r = ok(place(e, { action: 'Buy', orderType: 'Limit', limitPrice: 4995, name: 'lim' }));
  const id = r.result.order.orderId;
  assert.deepEqual(states(r.events, id), ['Submitted', 'Accepted', 'Working']);
  assert.equal(r.result.order.state, 'Working');
  assert.equal(states(e.setQuote('ES', 4996, { nowMs: T0 }), id).length, 0, 'ask 4996.25 > limit: no fill');
  const ev = e.setQuote('ES', 4990, { nowMs: T0 }); // gaps through: ask 4990.25 <= 4995
  assert.deepEqual(states(ev, id), ['Filled']);
  assert.equal(e.orders().find((o) => o.orderId === id)!.averageFillPrice, 4995, 'resting limit fills at its limit');
  // A marketable limit takes the market price (the limit or better).
  const m = ok(place(e, { action: 'Sell', orderType: 'Limit', limitPrice: 4980, name: 'lim2' }));
  assert.equal(m.result.order.state, 'Filled');
  assert.equal(m.result.order.averageFillPrice, 4990);
});

test('stop market: broker-held stops sit in Accepted (as NT8 shows them), trigger when last trades through, fill at the market', () => {
  const e = engine();
  e.setQuote('ES', 5000, { nowMs: T0 });
  const r = ok(place(e, { action: 'Buy', orderType: 'StopMarket', stopPrice: 5005, name: 'stp' }));
  const id = r.result.order.orderId;
  assert.deepEqual(states(r.events, id), ['Submitted', 'Accepted']);
  assert.equal(r.result.order.state, 'Accepted');
  assert.equal(states(e.setQuote('ES', 5004.75, { nowMs: T0 }), id).length, 0);
  const ev = e.setQuote('ES', 5006, { nowMs: T0 });
  assert.deepEqual(states(ev, id), ['Working', 'Filled']);
  assert.equal(e.orders().find((o) => o.orderId === id)!.averageFillPrice, 5006.25);
  // Sell stop below the market.
  const s = ok(place(e, { action: 'Sell', orderType: 'StopMarket', stopPrice: 5000, name: 'stp2' }));
  assert.deepEqual(states(e.setQuote('ES', 4999, { nowMs: T0 }), s.result.order.orderId), ['Working', 'Filled']);
  assert.equal(e.orders().find((o) => o.orderId === s.result.order.orderId)!.averageFillPrice, 4999);
});

test('stop limit: triggers into a working limit, fills at the limit when reached', () => {
  const e = engine();
  e.setQuote('ES', 5000, { nowMs: T0 });
  const r = ok(place(e, { action: 'Sell', orderType: 'StopLimit', stopPrice: 4995, limitPrice: 4994, name: 'sl' }));
  const id = r.result.order.orderId;
  // Gaps down through stop and limit: triggers, but bid 4990 < limit 4994 → rests as Working.
  assert.deepEqual(states(e.setQuote('ES', 4990, { nowMs: T0 }), id), ['Working']);
  assert.deepEqual(states(e.setQuote('ES', 4994.5, { nowMs: T0 }), id), ['Filled']);
  assert.equal(e.orders().find((o) => o.orderId === id)!.averageFillPrice, 4994);
});

test('rejections carry NT8-like reasons', () => {
  const e = engine();
  e.setQuote('ES', 5000.25, { nowMs: T0 });
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ account: 'Nope' }, 'unknown_account', /Account 'Nope' is not known.*Sim101, Sim102/],
    [{ instrument: 'ZB' }, 'unknown_instrument', /Unknown instrument 'ZB'/],
    [{ instrument: 'ES 03-27' }, 'unknown_instrument', /not available in the simulator; the tradable ES contract is ES 12-26/],
    [{ quantity: 0 }, 'invalid_order', /quantity 0 is not a positive whole number/],
    [{ quantity: 1.5 }, 'invalid_order', /quantity 1.5 is not a positive whole number/],
    [{ orderType: 'Limit' }, 'invalid_order', /Limit order needs a limit price/],
    [{ orderType: 'Limit', limitPrice: 5000.1 }, 'invalid_order', /limit price 5000.1 is not a multiple of the tick size 0.25/],
    [{ orderType: 'Market', limitPrice: 5000 }, 'invalid_order', /Market order takes no limit price/],
    [{ orderType: 'StopMarket' }, 'invalid_order', /needs a stop price/],
    [{ orderType: 'StopMarket', stopPrice: 4990 }, 'invalid_order', /^Order rejected: stop price 4990.00 is below the market 5000.25 for a buy stop$/],
    [{ orderType: 'StopMarket', stopPrice: 5000.25 }, 'invalid_order', /stop price 5000.25 is at the market 5000.25 for a buy stop/],
    [{ action: 'Sell', orderType: 'StopMarket', stopPrice: 5001 }, 'invalid_order', /stop price 5001.00 is above the market 5000.25 for a sell stop/],
    [{ action: 'Hold' }, 'invalid_request', /Invalid placeOrder parameters: action/],
  ];
  for (const [p, code, re] of cases) {
    const r = place(e, { action: 'Buy', orderType: 'Market', name: `x${Math.random()}`, ...p });
    assert.equal(r.ok, false, JSON.stringify(p));
    if (!r.ok) {
      assert.equal(r.error.code, code, JSON.stringify(p));
      assert.match(r.error.message, re);
      assert.equal(r.events.length, 0);
    }
  }
  assert.equal(e.orders().length, 0, 'no order was created');
});

test('cancel: CancelPending → CancelSubmitted → Cancelled; a filled order cannot be cancelled', () => {
  const e = engine();
  e.setQuote('ES', 5000, { nowMs: T0 });
  const r = ok(place(e, { action: 'Buy', orderType: 'Limit', limitPrice: 4990, name: 'c' }));
  const id = r.result.order.orderId;
  const c = ok(e.handle('cancelOrder', { account: 'Sim101', orderId: id }));
  assert.deepEqual(states(c.events, id), ['CancelPending', 'CancelSubmitted', 'Cancelled']);
  assert.equal(c.result.order.state, 'Cancelled');
  const again = e.handle('cancelOrder', { account: 'Sim101', orderId: id });
  assert.equal(again.ok, false);
  if (!again.ok) {
    assert.equal(again.error.code, 'order_not_changeable');
    assert.match(again.error.message, /is Cancelled and can no longer be cancelled/);
  }
  assert.equal(states(e.setQuote('ES', 4980, { nowMs: T0 }), id).length, 0, 'a cancelled order never fills');
  const missing = e.handle('cancelOrder', { account: 'Sim101', orderId: 'ORD-999' });
  assert.equal(!missing.ok && missing.error.code, 'unknown_order');
  const other = e.handle('cancelOrder', { account: 'Sim102', orderId: id });
  assert.equal(!other.ok && other.error.code, 'unknown_order', 'orders are per account');
});

test('change: ChangePending → ChangeSubmitted → Working, new price honoured, checks apply', () => {
  const e = engine();
  e.setQuote('ES', 5000, { nowMs: T0 });
  const r = ok(place(e, { action: 'Buy', orderType: 'Limit', limitPrice: 4990, quantity: 2, name: 'chg' }));
  const id = r.result.order.orderId;
  const c = ok(e.handle('changeOrder', { account: 'Sim101', orderId: id, limitPrice: 4995, quantity: 3 }));
  assert.deepEqual(states(c.events, id), ['ChangePending', 'ChangeSubmitted', 'Working']);
  assert.equal(c.result.order.limitPrice, 4995);
  assert.equal(c.result.order.quantity, 3);
  const bad = e.handle('changeOrder', { account: 'Sim101', orderId: id, limitPrice: 4995.3 });
  assert.equal(!bad.ok && bad.error.code, 'invalid_order');
  const noStop = e.handle('changeOrder', { account: 'Sim101', orderId: id, stopPrice: 5010 });
  assert.match(!noStop.ok ? noStop.error.message : '', /a Limit order has no stop price/);
  // Changing the limit through the market fills at once at the ask.
  const f = ok(e.handle('changeOrder', { account: 'Sim101', orderId: 'chg', limitPrice: 5001 }));
  assert.deepEqual(states(f.events, id), ['ChangePending', 'ChangeSubmitted', 'Working', 'Filled']);
  assert.equal(f.result.order.averageFillPrice, 5000.25);
  assert.equal(e.positions('Sim101')[0]!.quantity, 3);
  const late = e.handle('changeOrder', { account: 'Sim101', orderId: id, limitPrice: 4000 });
  assert.equal(!late.ok && late.error.code, 'order_not_changeable');
  // A stop change must stay on the right side of the market.
  const s = ok(place(e, { action: 'Sell', orderType: 'StopMarket', stopPrice: 4990, name: 'stopchg' }));
  const wrong = e.handle('changeOrder', { account: 'Sim101', orderId: s.result.order.orderId, stopPrice: 5010 });
  assert.match(!wrong.ok ? wrong.error.message : '', /^Change rejected: stop price 5010.00 is above the market 5000.00 for a sell stop$/);
  const moved = ok(e.handle('changeOrder', { account: 'Sim101', orderId: s.result.order.orderId, stopPrice: 4995 }));
  assert.deepEqual(states(moved.events, s.result.order.orderId), ['ChangePending', 'ChangeSubmitted', 'Accepted']);
  assert.equal(moved.result.order.state, 'Accepted');
  assert.equal(moved.result.order.stopPrice, 4995);
});

test('OCO: a fill cancels the others; a cancel cancels the others; the id cannot be reused', () => {
  const e = engine();
  e.setQuote('ES', 5000, { nowMs: T0 });
  ok(place(e, { action: 'Buy', orderType: 'Market', name: 'entry' }));
  const tp = ok(place(e, { action: 'Sell', orderType: 'Limit', limitPrice: 5010, ocoId: 'bracket1', name: 'tp' })).result.order;
  const sl = ok(place(e, { action: 'Sell', orderType: 'StopMarket', stopPrice: 4990, ocoId: 'bracket1', name: 'sl' })).result.order;
  const ev = e.setQuote('ES', 5010, { nowMs: T0 });
  assert.deepEqual(states(ev, tp.orderId), ['Filled']);
  assert.deepEqual(states(ev, sl.orderId), ['CancelPending', 'CancelSubmitted', 'Cancelled']);
  assert.deepEqual(e.positions('Sim101'), []);
  const reuse = place(e, { action: 'Sell', orderType: 'Limit', limitPrice: 5020, ocoId: 'bracket1', name: 'tp2' });
  assert.match(!reuse.ok ? reuse.error.message : '', /OCO id 'bracket1' was already used/);

  const a = ok(place(e, { action: 'Buy', orderType: 'Limit', limitPrice: 5000, ocoId: 'g2', name: 'a' })).result.order;
  const b = ok(place(e, { action: 'Buy', orderType: 'StopMarket', stopPrice: 5020, ocoId: 'g2', name: 'b' })).result.order;
  const c = ok(e.handle('cancelOrder', { account: 'Sim101', orderId: a.orderId }));
  assert.deepEqual(states(c.events, b.orderId), ['CancelPending', 'CancelSubmitted', 'Cancelled']);
});

test('the client order id (order name) de-duplicates: a retry never places twice', () => {
  const e = engine();
  const first = ok(place(e, { action: 'Buy', orderType: 'Market', name: 'client-42' }));
  const again = ok(place(e, { action: 'Buy', orderType: 'Market', name: 'client-42' }));
  assert.equal(again.result.order.orderId, first.result.order.orderId);
  assert.equal(again.events.length, 0);
  assert.equal(e.orders().length, 1);
  assert.equal(e.positions('Sim101')[0]!.quantity, 1);
  // The same name on another account is another order.
  ok(place(e, { account: 'Sim102', action: 'Buy', orderType: 'Market', name: 'client-42' }));
  assert.equal(e.orders().length, 2);
});

test('flatten cancels working orders and closes with market orders; everything; reverse', () => {
  const e = engine();
  e.setQuote('ES', 5000, { nowMs: T0 });
  e.setQuote('CL', 70, { nowMs: T0 });
  ok(place(e, { action: 'Buy', orderType: 'Market', quantity: 2, name: 'a' }));
  ok(place(e, { instrument: 'CL', action: 'SellShort', orderType: 'Market', quantity: 1, name: 'b' }));
  const w = ok(place(e, { action: 'Sell', orderType: 'Limit', limitPrice: 5050, name: 'w' })).result.order;
  const f = ok(e.handle('flatten', { account: 'Sim101', instrument: 'ES' }));
  assert.equal(f.result.orders.length, 1);
  assert.deepEqual(
    { action: f.result.orders[0]!.action, qty: f.result.orders[0]!.quantity, state: f.result.orders[0]!.state, px: f.result.orders[0]!.averageFillPrice },
    { action: 'Sell', qty: 2, state: 'Filled', px: 5000 },
  );
  assert.deepEqual(states(f.events, w.orderId), ['CancelPending', 'CancelSubmitted', 'Cancelled']);
  assert.deepEqual(e.positions('Sim101').map((p) => p.instrument), ['CL 12-26']);

  // Reverse the CL short 1 → long 1: one market buy of 2.
  const r = ok(e.handle('reversePosition', { account: 'Sim101', instrument: 'CL 12-26' }));
  assert.equal(r.result.orders[0]!.action, 'Buy');
  assert.equal(r.result.orders[0]!.quantity, 2);
  assert.deepEqual(e.positions('Sim101')[0], {
    account: 'Sim101', instrument: 'CL 12-26', marketPosition: 'Long', quantity: 1, averagePrice: 70.01, unrealizedPnL: -10,
  });
  const exec = e.executionsOf('Sim101').at(-1)!;
  assert.equal(exec.isEntry && exec.isExit, true, 'a reversing fill both exits and enters');
  const none = e.handle('reversePosition', { account: 'Sim101', instrument: 'ES' });
  assert.match(!none.ok ? none.error.message : '', /Cannot reverse: Sim101 has no position in ES 12-26/);

  ok(place(e, { account: 'Sim102', action: 'Buy', orderType: 'Market', name: 'c' }));
  const all = ok(e.handle('flattenEverything', {}));
  assert.equal(all.result.orders.length, 2);
  assert.deepEqual(e.positions(), []);
});

test('cancelAllOrders cancels only the account (and instrument) given', () => {
  const e = engine();
  e.setQuote('ES', 5000, { nowMs: T0 });
  const a = ok(place(e, { action: 'Buy', orderType: 'Limit', limitPrice: 4990, name: 'a' })).result.order;
  const b = ok(place(e, { instrument: 'GC', action: 'Buy', orderType: 'Limit', limitPrice: 2500, name: 'b' })).result.order;
  const c = ok(place(e, { account: 'Sim102', action: 'Buy', orderType: 'Limit', limitPrice: 4990, name: 'c' })).result.order;
  assert.deepEqual(ok(e.handle('cancelAllOrders', { account: 'Sim101', instrument: 'ES' })).result.cancelled, [a.orderId]);
  assert.deepEqual(ok(e.handle('cancelAllOrders', { account: 'Sim101' })).result.cancelled, [b.orderId]);
  assert.equal(e.orders('Sim102').find((o) => o.orderId === c.orderId)!.state, 'Working');
});

test('Day orders are cancelled at the 17:00 New York session close; Gtc orders survive', () => {
  const e = engine();
  const day = ok(place(e, { action: 'Buy', orderType: 'Limit', limitPrice: 5000, timeInForce: 'Day', name: 'd' })).result.order;
  const gtc = ok(place(e, { action: 'Buy', orderType: 'Limit', limitPrice: 5000, timeInForce: 'Gtc', name: 'g' })).result.order;
  assert.equal(states(e.tick(Date.UTC(2026, 10, 2, 21, 59)), day.orderId).length, 0); // 16:59 EST
  const ev = e.tick(Date.UTC(2026, 10, 2, 22, 0)); // 17:00 EST
  // Nobody asked for this cancel: the exchange ends the order, so NT8 reports Cancelled alone, with why.
  assert.deepEqual(states(ev, day.orderId), ['Cancelled']);
  assert.match(e.orders().find((o) => o.orderId === day.orderId)!.error ?? '', /Day order ends at the session close/);
  assert.equal(states(ev, gtc.orderId).length, 0);
});

// ---------------------------------------------------------------- the calendar (src/market/calendar.ts)

const SAT = Date.UTC(2026, 10, 28, 15); // Saturday 28 Nov 2026, 10:00 New York
const SUN_OPEN = Date.UTC(2026, 10, 29, 23); // Sunday 18:00 New York

test('closed market: quotes stand still, market orders are refused with when it reopens, limits rest', () => {
  const e = new SimEngine({ startTime: SAT, seed: 7 });
  const before = e.quote('ES')!;
  assert.equal(e.tick(SAT + 250).filter((x) => x.kind === 'quote').length, 0, 'no quotes move on a Saturday');
  assert.deepEqual(e.quote('ES'), before);
  const mkt = e.handle('placeOrder', { account: 'Sim101', instrument: 'ES', action: 'Buy', orderType: 'Market', quantity: 1, timeInForce: 'Gtc', name: 'm' }, SAT);
  assert.equal(mkt.ok, false);
  if (!mkt.ok) {
    assert.equal(mkt.error.code, 'market_closed');
    assert.match(mkt.error.message, /CME Globex is closed for the weekend; ES reopens Sun 2026-11-29 18:00 ET/);
  }
  // A marketable limit is accepted but does not fill until the market reopens.
  const lim = ok(e.handle('placeOrder', { account: 'Sim101', instrument: 'ES', action: 'Buy', orderType: 'Limit', limitPrice: before.ask + 1, quantity: 1, timeInForce: 'Gtc', name: 'l' }, SAT)).result.order;
  assert.equal(lim.state, 'Working');
  assert.equal(e.setQuote('ES', before.last, { nowMs: SAT + 1000 }).some((x) => x.kind === 'execution'), false, 'nothing fills while closed');
  const open = e.tick(SUN_OPEN);
  assert.ok(open.some((x) => x.kind === 'execution' && x.execution.orderId === lim.orderId), 'fills on the first tick after the open');
  // Flatten while closed is refused as a whole (its market orders could not fill).
  const fl = e.handle('flatten', { account: 'Sim101', instrument: 'ES' }, Date.UTC(2026, 11, 4, 22, 30)); // Fri 17:30 ET
  assert.equal(!fl.ok && fl.error.code, 'market_closed');
  assert.equal(e.positions('Sim101').length, 1, 'the position is still there');
});

test('24x7 hours trade around the clock, like NT8\'s Simulated Data Feed', () => {
  const e = new SimEngine({ startTime: SAT, seed: 7, hours: '24x7' });
  assert.ok(e.tick(SAT + 250).some((x) => x.kind === 'quote'));
  const r = ok(e.handle('placeOrder', { account: 'Sim101', instrument: 'ES', action: 'Buy', orderType: 'Market', quantity: 1, timeInForce: 'Gtc', name: 'm' }, SAT));
  assert.equal(r.result.order.state, 'Filled');
});

test('a new session at 18:00 New York restarts realized P&L; the cash value carries it', () => {
  const e = engine();
  e.setQuote('ES', 5000, { nowMs: T0 });
  ok(place(e, { action: 'Buy', orderType: 'Market', name: 'b' }));
  e.setQuote('ES', 5010, { nowMs: T0 });
  ok(place(e, { action: 'Sell', orderType: 'Market', name: 's' }));
  const a = e.account('Sim101')!;
  assert.equal(a.items.realizedPnL, 500 - 12.5 - 5, 'bought 5000.25, sold 5010: 9.75 pt × $50, less $5 commission');
  const cash = a.items.cashValue;
  // Tuesday's session starts Monday 18:00 EST = 23:00 UTC.
  assert.equal(e.tick(Date.UTC(2026, 10, 2, 22, 59)).some((x) => x.kind === 'account'), false);
  const ev = e.tick(Date.UTC(2026, 10, 2, 23, 0));
  assert.ok(ev.some((x) => x.kind === 'account' && x.account.name === 'Sim101' && x.account.items.realizedPnL === 0));
  assert.equal(e.account('Sim101')!.items.realizedPnL, 0);
  assert.equal(e.account('Sim101')!.items.cashValue, cash);
});

test('a running simulator follows the roll: both ES months trade in roll week, the old one until it expires', () => {
  const e = new SimEngine({ startTime: Date.UTC(2026, 11, 8, 15), seed: 7 }); // Tue 8 Dec 2026
  assert.ok(e.contracts().includes('ES 12-26') && !e.contracts().includes('ES 03-27'));
  ok(e.handle('placeOrder', { account: 'Sim101', instrument: 'ES', action: 'Buy', orderType: 'Market', quantity: 2, timeInForce: 'Gtc', name: 'old' }, Date.UTC(2026, 11, 8, 15)));
  assert.equal(e.positions('Sim101')[0]!.instrument, 'ES 12-26');
  const rollWeek = Date.UTC(2026, 11, 10, 15); // Thu 10 Dec: NT8's rollover date
  e.tick(rollWeek);
  assert.ok(e.contracts().includes('ES 12-26') && e.contracts().includes('ES 03-27'), e.contracts().join());
  assert.equal(e.contractFor('ES'), 'ES 03-27', 'the root now means the new front month');
  assert.equal(e.quote('ES 03-27')!.last, e.quote('ES 12-26')!.last, 'the new month starts at the old month\'s price');
  const fresh = ok(e.handle('placeOrder', { account: 'Sim101', instrument: 'ES', action: 'Buy', orderType: 'Market', quantity: 1, timeInForce: 'Gtc', name: 'new' }, rollWeek));
  assert.equal(fresh.result.order.instrument, 'ES 03-27');
  const older = ok(e.handle('placeOrder', { account: 'Sim101', instrument: 'ES 12-26', action: 'Sell', orderType: 'Market', quantity: 1, timeInForce: 'Gtc', name: 'older' }, rollWeek));
  assert.equal(older.result.order.state, 'Filled', 'the old month still trades');
  assert.deepEqual(e.positions('Sim101').map((p) => `${p.instrument} ${p.quantity}`).sort(), ['ES 03-27 1', 'ES 12-26 1']);
  // After 09:30 ET on the third Friday the old month is gone from the quotes and no longer tradable.
  e.tick(Date.UTC(2026, 11, 18, 14, 30));
  assert.ok(!e.contracts().includes('ES 12-26'));
  const late = e.handle('placeOrder', { account: 'Sim101', instrument: 'ES 12-26', action: 'Sell', orderType: 'Market', quantity: 1, timeInForce: 'Gtc', name: 'late' }, Date.UTC(2026, 11, 18, 14, 31));
  assert.equal(!late.ok && late.error.code, 'unknown_instrument');
});
