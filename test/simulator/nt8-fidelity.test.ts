// The simulator behaves as a real NT8 does (protocol 1.1, issue 10 §5): the order states NT8
// reports, partial fills, MIT, Gtd / Ioc / Opg, the wider account items, connections, executions'
// market position, quotes' sizes and session values, quote subscriptions. Every event and result
// is checked against the protocol's schemas, as the companion would parse it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimEngine } from '../../src/simulator/engine.ts';
import { manualClock } from '../../src/clock.ts';
import { DomainEventSchema, methods, StateSchema } from '../../src/ninjatrader/protocol.ts';
import type { DomainEvent, Execution, OrderState } from '../../src/ninjatrader/protocol.ts';

const T0 = Date.UTC(2026, 10, 2, 15, 0, 0); // Monday 2 Nov 2026, 10:00 New York

function engine(opts: Partial<ConstructorParameters<typeof SimEngine>[0]> = {}): SimEngine {
  return new SimEngine({ startTime: T0, seed: 7, ...opts });
}

/** Every event must parse as the companion parses it, with no value turned into Unknown. */
function checked(events: DomainEvent[]): DomainEvent[] {
  for (const ev of events) {
    const parsed = DomainEventSchema.parse(ev) as Record<string, unknown>;
    const entity = Object.values(parsed).find((v) => typeof v === 'object') as Record<string, unknown>;
    assert.equal(entity.unknownValues, undefined, `no unknown enum value in ${JSON.stringify(ev)}`);
  }
  return events;
}

function states(events: DomainEvent[], orderId: string): OrderState[] {
  return checked(events).flatMap((e) => (e.kind === 'order' && e.order.orderId === orderId ? [e.order.state] : []));
}

function executions(events: DomainEvent[]): Execution[] {
  return events.flatMap((e) => (e.kind === 'execution' ? [e.execution] : []));
}

function ok<T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> {
  if (!r.ok) assert.fail(`expected ok, got ${JSON.stringify((r as unknown as { error: unknown }).error)}`);
  return r as Extract<T, { ok: true }>;
}

function place(e: SimEngine, p: Record<string, unknown>, now = T0) {
  const r = e.handle('placeOrder', { account: 'Sim101', instrument: 'ES', timeInForce: 'Gtc', quantity: 1, ...p }, now);
  if (r.ok) methods.placeOrder.result.parse(r.result);
  return r;
}

function refusal(r: { ok: boolean }): { code: string; message: string } {
  assert.equal(r.ok, false, 'expected a refusal');
  return (r as unknown as { error: { code: string; message: string } }).error;
}

test('a limit order larger than the displayed size fills in parts: PartFilled per quote, then Filled', () => {
  const e = engine();
  e.setQuote('ES', 5000, { nowMs: T0, askSize: 10 });
  const r = ok(place(e, { action: 'Buy', orderType: 'Limit', limitPrice: 4995, quantity: 25, name: 'big' }));
  const id = r.result.order.orderId;
  assert.deepEqual(states(r.events, id), ['Submitted', 'Accepted', 'Working']);
  const one = e.setQuote('ES', 4994, { nowMs: T0, askSize: 10 });
  assert.deepEqual(states(one, id), ['PartFilled']);
  assert.deepEqual(executions(one).map((x) => [x.quantity, x.price]), [[10, 4995]]);
  const partly = e.orders().find((o) => o.orderId === id)!;
  assert.equal(partly.filled, 10);
  assert.equal(e.positions('Sim101')[0]!.quantity, 10, 'the position holds what filled');
  assert.deepEqual(states(e.setQuote('ES', 4994, { nowMs: T0, askSize: 10 }), id), ['PartFilled']);
  const last = e.setQuote('ES', 4993, { nowMs: T0, askSize: 40 });
  assert.deepEqual(states(last, id), ['Filled']);
  assert.deepEqual(executions(last).map((x) => x.quantity), [5], 'only the remaining 5 fill');
  const done = e.orders().find((o) => o.orderId === id)!;
  assert.equal(done.filled, 25);
  assert.equal(done.averageFillPrice, 4995);
  assert.equal(e.executionsOf('Sim101').reduce((n, x) => n + x.quantity, 0), 25);
  assert.equal(e.account('Sim101')!.items.commission, 62.5, '$2.50 × 25 contracts over three executions');
});

test('a marketable limit takes what is displayed at once and rests for the rest; orders share the displayed size in order of arrival', () => {
  const e = engine();
  e.setQuote('ES', 5000, { nowMs: T0, askSize: 4 });
  const a = ok(place(e, { action: 'Buy', orderType: 'Limit', limitPrice: 5001, quantity: 6, name: 'a' }));
  assert.deepEqual(states(a.events, a.result.order.orderId), ['Submitted', 'Accepted', 'Working', 'PartFilled']);
  assert.equal(a.result.order.filled, 4);
  assert.equal(a.result.order.averageFillPrice, 5000.25, 'at the ask, the limit or better');
  const b = ok(place(e, { action: 'Buy', orderType: 'Limit', limitPrice: 5001, quantity: 3, name: 'b' }));
  assert.equal(b.result.order.state, 'Working', 'the 4 displayed are taken: the next order waits');
  const next = e.setQuote('ES', 5000, { nowMs: T0, askSize: 3 });
  assert.deepEqual(states(next, a.result.order.orderId), ['Filled'], 'the first order takes 2 of the 3');
  assert.deepEqual(states(next, b.result.order.orderId), ['PartFilled'], 'the second gets the 1 left');
  assert.deepEqual(executions(next).map((x) => [x.orderId, x.quantity, x.price]), [[a.result.order.orderId, 2, 5001], [b.result.order.orderId, 1, 5001]]);
  // A market order sweeps the book: it fills whole whatever is displayed.
  const m = ok(place(e, { action: 'Sell', orderType: 'Market', quantity: 50, name: 'm' }));
  assert.deepEqual(states(m.events, m.result.order.orderId), ['Submitted', 'Accepted', 'Working', 'Filled']);
  assert.equal(executions(m.events)[0]!.quantity, 50);
});

test('a partly filled order: a change keeps it PartFilled, cannot go below what filled; a cancel goes CancelPending → CancelSubmitted → Cancelled', () => {
  const e = engine();
  e.setQuote('ES', 5000, { nowMs: T0, bidSize: 10 });
  const r = ok(place(e, { action: 'Sell', orderType: 'Limit', limitPrice: 5005, quantity: 30, name: 'p' }));
  const id = r.result.order.orderId;
  e.setQuote('ES', 5006, { nowMs: T0, bidSize: 10 });
  const low = e.handle('changeOrder', { account: 'Sim101', orderId: id, quantity: 10 }, T0);
  assert.deepEqual(refusal(low), { code: 'invalid_order', message: 'Change rejected: quantity 10 is not above the 10 already filled (cancel the order to stop it)' });
  const c = ok(e.handle('changeOrder', { account: 'Sim101', orderId: id, limitPrice: 5010, quantity: 20 }, T0));
  assert.deepEqual(states(c.events, id), ['ChangePending', 'ChangeSubmitted', 'PartFilled']);
  assert.equal(c.result.order.quantity, 20);
  assert.equal(c.result.order.filled, 10);
  const x = ok(e.handle('cancelOrder', { account: 'Sim101', orderId: id }, T0));
  assert.deepEqual(states(x.events, id), ['CancelPending', 'CancelSubmitted', 'Cancelled']);
  assert.equal(x.result.order.filled, 10, 'what filled stays filled');
  assert.equal(e.positions('Sim101')[0]!.quantity, 10);
});

test('a change of a working limit goes ChangePending → ChangeSubmitted → Working; of an untriggered stop → Accepted', () => {
  const e = engine();
  e.setQuote('ES', 5000, { nowMs: T0 });
  const lim = ok(place(e, { action: 'Buy', orderType: 'Limit', limitPrice: 4990, name: 'l' })).result.order;
  const c = ok(e.handle('changeOrder', { account: 'Sim101', orderId: lim.orderId, limitPrice: 4991 }, T0));
  assert.deepEqual(states(c.events, lim.orderId), ['ChangePending', 'ChangeSubmitted', 'Working']);
  const stop = ok(place(e, { action: 'Sell', orderType: 'StopLimit', stopPrice: 4990, limitPrice: 4989, name: 's' })).result.order;
  assert.equal(stop.state, 'Accepted', 'a broker-held stop shows Accepted, not TriggerPending');
  const cs = ok(e.handle('changeOrder', { account: 'Sim101', orderId: stop.orderId, stopPrice: 4985, limitPrice: 4984 }, T0));
  assert.deepEqual(states(cs.events, stop.orderId), ['ChangePending', 'ChangeSubmitted', 'Accepted']);
  // Triggered, it becomes a working limit; its stop can then no longer move.
  assert.deepEqual(states(e.setQuote('ES', 4985, { nowMs: T0 }), stop.orderId), ['Working', 'Filled']);
});

test('MIT: held by NT8 as TriggerPending, becomes a market order when the price touches it; wrong side refused', () => {
  const e = engine();
  e.setQuote('ES', 5000, { nowMs: T0 });
  const r = ok(place(e, { action: 'Buy', orderType: 'MIT', stopPrice: 4990, quantity: 2, name: 'mit' }));
  const id = r.result.order.orderId;
  assert.deepEqual(states(r.events, id), ['Submitted', 'Accepted', 'TriggerPending']);
  assert.equal(states(e.setQuote('ES', 4990.25, { nowMs: T0 }), id).length, 0, 'not touched yet');
  const hit = e.setQuote('ES', 4990, { nowMs: T0 });
  assert.deepEqual(states(hit, id), ['Working', 'Filled']);
  assert.deepEqual(executions(hit).map((x) => [x.quantity, x.price, x.marketPosition]), [[2, 4990.25, 'Long']], 'at the ask, like a market order');
  const s = ok(place(e, { action: 'Sell', orderType: 'MIT', stopPrice: 5000, name: 'mit2' }));
  const moved = ok(e.handle('changeOrder', { account: 'Sim101', orderId: s.result.order.orderId, stopPrice: 4995 }, T0));
  assert.deepEqual(states(moved.events, s.result.order.orderId), ['ChangePending', 'ChangeSubmitted', 'TriggerPending']);
  assert.deepEqual(states(e.setQuote('ES', 4995, { nowMs: T0 }), s.result.order.orderId), ['Working', 'Filled']);
  const wrong = place(e, { action: 'Buy', orderType: 'MIT', stopPrice: 5000, name: 'mit3' });
  assert.match(refusal(wrong).message, /^Order rejected: trigger price 5000.00 is above the market 4995.00 for a buy MIT/);
  assert.match(refusal(place(e, { action: 'Sell', orderType: 'MIT', stopPrice: 4990, name: 'mit4' })).message, /below the market 4995.00 for a sell MIT/);
  assert.match(refusal(place(e, { action: 'Buy', orderType: 'MIT', name: 'mit5' })).message, /MIT order needs a trigger \(stop\) price/);
  assert.match(refusal(place(e, { action: 'Buy', orderType: 'MIT', stopPrice: 4980, limitPrice: 4980, name: 'mit6' })).message, /MIT order takes no limit price/);
});

test('Gtd: the order expires at its gtdDate by the injected clock, Cancelled with the reason; it outlives the Day close', () => {
  const clock = manualClock(T0);
  const e = new SimEngine({ startTime: clock.now(), seed: 7 });
  e.setQuote('ES', 5000, { nowMs: clock.now() });
  const until = '2026-11-03T16:00:00.000Z'; // Tuesday 11:00 New York: after Monday's 17:00 close
  const r = ok(place(e, { action: 'Buy', orderType: 'Limit', limitPrice: 4990, timeInForce: 'Gtd', gtdDate: '2026-11-03T16:00:00Z', name: 'gtd' }, clock.now()));
  const id = r.result.order.orderId;
  assert.equal(r.result.order.gtdDate, until);
  assert.equal(r.result.order.timeInForce, 'Gtd');
  clock.set(Date.UTC(2026, 10, 2, 22, 0)); // Monday 17:00: Day orders end, Gtd stays
  assert.equal(states(e.tick(clock.now()), id).length, 0);
  clock.set(Date.parse(until) - 1);
  assert.equal(states(e.tick(clock.now()), id).length, 0, 'one millisecond before: still working');
  clock.advance(1);
  const ev = e.tick(clock.now());
  assert.deepEqual(states(ev, id), ['Cancelled'], 'nobody asked: no CancelPending');
  const o = e.orders().find((x) => x.orderId === id)!;
  assert.equal(o.error, `Expired: its good-till-date ${until} was reached.`);
  // A date already past, a missing date, a date on another time in force: refused with a reason.
  assert.match(refusal(place(e, { action: 'Buy', orderType: 'Limit', limitPrice: 4990, timeInForce: 'Gtd', gtdDate: '2026-11-03T15:00:00Z', name: 'g2' }, clock.now())).message, /gtdDate 2026-11-03T15:00:00.000Z has already passed/);
  assert.equal(refusal(place(e, { action: 'Buy', orderType: 'Limit', limitPrice: 4990, timeInForce: 'Gtd', name: 'g3' }, clock.now())).code, 'invalid_request');
  assert.equal(refusal(place(e, { action: 'Buy', orderType: 'Limit', limitPrice: 4990, timeInForce: 'Day', gtdDate: '2026-11-04T15:00:00Z', name: 'g4' }, clock.now())).code, 'invalid_request');
  assert.match(refusal(place(e, { action: 'Buy', orderType: 'Limit', limitPrice: 4990, timeInForce: 'Gtd', gtdDate: 'next friday', name: 'g5' }, clock.now())).message, /gtdDate 'next friday' is not an ISO date-time/);
});

test('Ioc fills what it can at once and cancels the rest; Opg is refused with the reason', () => {
  const e = engine();
  e.setQuote('ES', 5000, { nowMs: T0, askSize: 3 });
  const part = ok(place(e, { action: 'Buy', orderType: 'Limit', limitPrice: 5001, quantity: 5, timeInForce: 'Ioc', name: 'ioc1' }));
  const id = part.result.order.orderId;
  assert.deepEqual(states(part.events, id), ['Submitted', 'Accepted', 'Working', 'PartFilled', 'Cancelled']);
  assert.equal(part.result.order.filled, 3);
  assert.equal(part.result.order.error, 'Immediate-or-cancel: 3 of 5 filled at once; the rest was cancelled.');
  assert.equal(states(e.setQuote('ES', 4990, { nowMs: T0, askSize: 50 }), id).length, 0, 'nothing of it rests');
  const none = ok(place(e, { action: 'Buy', orderType: 'Limit', limitPrice: 4980, quantity: 2, timeInForce: 'Ioc', name: 'ioc2' }));
  assert.deepEqual(states(none.events, none.result.order.orderId), ['Submitted', 'Accepted', 'Working', 'Cancelled']);
  assert.equal(none.result.order.filled, 0);
  const mkt = ok(place(e, { action: 'Buy', orderType: 'Market', quantity: 20, timeInForce: 'Ioc', name: 'ioc3' }));
  assert.equal(mkt.result.order.state, 'Filled');
  assert.match(refusal(place(e, { action: 'Buy', orderType: 'StopMarket', stopPrice: 5010, timeInForce: 'Ioc', name: 'ioc4' })).message, /Ioc \(immediate or cancel\) applies to Market and Limit orders/);
  const opg = refusal(place(e, { action: 'Buy', orderType: 'Limit', limitPrice: 4980, timeInForce: 'Opg', name: 'opg' }));
  assert.deepEqual(opg, { code: 'invalid_order', message: 'Order rejected: time in force Opg (at the opening only) is not available for CME futures in NinjaTrader\'s simulator; use Day, Gtc, Gtd or Ioc' });
  const sat = new SimEngine({ startTime: Date.UTC(2026, 10, 28, 15), seed: 7 });
  const closed = sat.handle('placeOrder', { account: 'Sim101', instrument: 'ES', action: 'Buy', orderType: 'Limit', limitPrice: 7000, quantity: 1, timeInForce: 'Ioc', name: 'ioc5' }, Date.UTC(2026, 10, 28, 15));
  assert.equal(refusal(closed).code, 'market_closed');
  assert.match(refusal(closed).message, /An immediate-or-cancel order cannot fill while the market is closed\.$/);
});

test('an order in a contract that expires is ended by the exchange: Cancelled alone, with the reason', () => {
  const e = new SimEngine({ startTime: Date.UTC(2026, 11, 17, 15), seed: 7 }); // Thu 17 Dec: ES 12-26 expires Fri 09:30 ET
  const old = ok(e.handle('placeOrder', { account: 'Sim101', instrument: 'ES 12-26', action: 'Buy', orderType: 'Limit', limitPrice: 5000, quantity: 1, timeInForce: 'Gtc', name: 'old' }, Date.UTC(2026, 11, 17, 15))).result.order;
  const ev = e.tick(Date.UTC(2026, 11, 18, 14, 30));
  assert.deepEqual(states(ev, old.orderId), ['Cancelled']);
  assert.equal(e.orders().find((o) => o.orderId === old.orderId)!.error, 'Cancelled by the exchange: ES 12-26 expired.');
});

test('accounts: display name, currency, both connection statuses, and NT8\'s items computed from the ledger; a prop-style display name', () => {
  const e = engine({ accounts: ['Sim101', { name: 'PA-APEX-41234-07', displayName: 'Apex 50K Eval' }] });
  const sim = e.account('Sim101')!;
  assert.deepEqual(
    { displayName: sim.displayName, currency: sim.currency, connection: sim.connection, connectionStatus: sim.connectionStatus, priceStatus: sim.priceStatus },
    { displayName: 'Sim101', currency: 'USD', connection: 'Simulated Data Feed', connectionStatus: 'Connected', priceStatus: 'Connected' },
  );
  assert.equal(e.account('PA-APEX-41234-07')!.displayName, 'Apex 50K Eval');
  assert.deepEqual(sim.items, {
    cashValue: 100_000, buyingPower: 100_000, netLiquidation: 100_000, realizedPnL: 0, unrealizedPnL: 0,
    grossRealizedPnL: 0, commission: 0, sodCashValue: 100_000, totalCashBalance: 100_000,
    initialMargin: 0, maintenanceMargin: 0, intradayMargin: 0,
    excessInitialMargin: 100_000, excessMaintenanceMargin: 100_000, excessIntradayMargin: 100_000,
  });
  e.setQuote('ES', 5000, { nowMs: T0 });
  ok(place(e, { action: 'Buy', orderType: 'Market', quantity: 2, name: 'b' }));
  e.setQuote('ES', 5010, { nowMs: T0 });
  const i = e.account('Sim101')!.items;
  // Bought 2 at 5000.25; last 5010: unrealized 9.75 × 2 × $50 = 975; commission 2 × 2.50.
  assert.equal(i.commission, 5);
  assert.equal(i.realizedPnL, -5);
  assert.equal(i.cashValue, 99_995);
  assert.equal(i.totalCashBalance, 99_995);
  assert.equal(i.sodCashValue, 100_000);
  assert.equal(i.unrealizedPnL, 975);
  assert.equal(i.netLiquidation, 100_970);
  assert.equal(i.initialMargin, 48_400);
  assert.equal(i.maintenanceMargin, 44_000);
  assert.equal(i.intradayMargin, 2_000);
  assert.equal(i.excessInitialMargin, 100_970 - 48_400);
  assert.equal(i.excessMaintenanceMargin, 100_970 - 44_000);
  assert.equal(i.buyingPower, 100_970 - 2_000, 'buying power is what day-trade margin leaves');
  // The next session: realized and commission restart, the cash carried becomes the session's start.
  e.tick(Date.UTC(2026, 10, 2, 23, 0));
  const next = e.account('Sim101')!.items;
  assert.equal(next.commission, 0);
  assert.equal(next.sodCashValue, 99_995);
});

test('the snapshot lists the connection with both statuses and validates as protocol 1.1; executions carry the market position', () => {
  const e = engine();
  ok(place(e, { action: 'Buy', orderType: 'Market', name: 'b' }));
  ok(place(e, { action: 'SellShort', orderType: 'Market', quantity: 2, name: 's' }));
  const snap = StateSchema.parse(e.snapshot());
  assert.deepEqual(snap.connections, [{ connection: 'Simulated Data Feed', status: 'Connected', priceStatus: 'Connected' }]);
  assert.deepEqual(snap.executions.map((x) => [x.action, x.marketPosition]), [['Buy', 'Long'], ['SellShort', 'Short']]);
  for (const x of snap.executions) assert.ok(x.orderId !== null && x.orderName !== null, 'the simulator\'s fills always have an order');
});

test('quotes carry bid/ask sizes, daily high/low/volume and the settlement; they roll at the 18:00 New York session start', () => {
  const e = engine();
  const q0 = e.quote('ES')!;
  assert.ok(q0.bidSize! >= 10 && q0.askSize! >= 10, 'displayed sizes of at least 10');
  assert.deepEqual([q0.dailyHigh, q0.dailyLow, q0.dailyVolume, q0.settlement], [6000, 6000, 0, 6000]);
  e.setQuote('ES', 6010, { nowMs: T0 + 1000, bidSize: 12, askSize: 34 });
  e.setQuote('ES', 5990, { nowMs: T0 + 2000 });
  const q1 = e.quote('ES')!;
  assert.deepEqual([q1.bidSize, q1.askSize, q1.dailyHigh, q1.dailyLow, q1.dailyVolume], [12, 34, 6010, 5990, 2]);
  // The stream is reproducible, sizes included, and quote events validate as 1.1.
  const a = engine();
  const b = engine();
  for (let k = 1; k <= 50; k++) assert.deepEqual(checked(a.tick(T0 + k * 250)), b.tick(T0 + k * 250));
  let high = -Infinity;
  let low = Infinity;
  let volume = 0;
  for (let k = 51; k <= 400; k++) {
    for (const ev of a.tick(T0 + k * 250)) {
      if (ev.kind !== 'quote' || ev.quote.instrument !== 'ES 12-26') continue;
      high = Math.max(high, ev.quote.last);
      low = Math.min(low, ev.quote.last);
      volume = ev.quote.volume;
    }
  }
  const qa = a.quote('ES')!;
  assert.ok(qa.dailyHigh! >= high && qa.dailyLow! <= low, 'daily high/low cover every last price');
  assert.equal(qa.dailyVolume, volume, 'daily volume is the session\'s volume');
  // Monday's close is 17:00; the next session starts 18:00 ET (23:00 UTC): settlement = Monday's last.
  const mondayLast = qa.last;
  a.tick(Date.UTC(2026, 10, 2, 22, 30)); // the daily break: nothing moves, nothing rolls yet
  assert.equal(a.quote('ES')!.dailyVolume, volume);
  a.tick(Date.UTC(2026, 10, 2, 23, 0));
  const qn = a.quote('ES')!;
  assert.equal(qn.settlement, mondayLast);
  assert.ok(qn.dailyVolume! < volume, 'the daily volume started again');
  assert.ok(qn.dailyHigh! >= qn.last && qn.dailyLow! <= qn.last);
});

test('subscribeQuotes / unsubscribeQuotes: unsubscribed contracts stop streaming unless a position or order needs them', () => {
  const e = engine();
  const un = ok(e.handle('unsubscribeQuotes', { instruments: ['GC', 'CL 12-26'] }, T0));
  assert.deepEqual(un.result, { unsubscribed: ['GC 12-26', 'CL 12-26'] });
  const quoted = (evs: DomainEvent[]) => new Set(evs.flatMap((x) => (x.kind === 'quote' ? [x.quote.instrument] : [])));
  let seen = new Set<string>();
  for (let k = 1; k <= 40; k++) seen = new Set([...seen, ...quoted(e.tick(T0 + k * 250))]);
  assert.ok(seen.has('ES 12-26') && !seen.has('GC 12-26') && !seen.has('CL 12-26'), [...seen].join());
  assert.ok(!e.snapshot().quotes.some((q) => q.instrument === 'GC 12-26'), 'the snapshot lists streamed quotes only');
  const sub = ok(e.handle('subscribeQuotes', { instruments: ['GCZ26', 'ES'] }, T0 + 20_000));
  assert.deepEqual(sub.result, { subscribed: ['GC 12-26', 'ES 12-26'] });
  assert.deepEqual([...quoted(sub.events)], ['GC 12-26'], 'a new subscription sends the current quote at once');
  // A contract with a position keeps streaming: NT8 needs its price for P&L.
  ok(place(e, { instrument: 'NQ', action: 'Buy', orderType: 'Market', name: 'nq' }, T0 + 20_000));
  assert.deepEqual(ok(e.handle('unsubscribeQuotes', { instruments: ['NQ'] }, T0 + 20_000)).result, { unsubscribed: [] });
  const bad = e.handle('subscribeQuotes', { instruments: ['ZB'] }, T0 + 20_000);
  assert.equal(refusal(bad).code, 'unknown_instrument');
  assert.equal(refusal(e.handle('subscribeQuotes', { instruments: [] }, T0)).code, 'invalid_request');
});
