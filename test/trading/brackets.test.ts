// Acceptance (issue 11 item 1), through the MCP SDK client after tools/list: a bracketed market
// entry leaves exactly two working exits in one OCO, the target fills and the stop is cancelled; an
// ATM entry does the same through its template; requireMarketPosition refuses before any prompt;
// a wrong-side stop is refused before any prompt; the prompt shows the bracket; exits never count
// again against the client's limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tradingSetup } from '../helpers/companion.ts';
import type { OrderConfirmation } from '../../src/control/contract.ts';
import { call, until } from '../helpers/tools.ts';

const LIMITS = { maxOrderQuantity: 5, maxPositionPerInstrument: 2, maxOrdersPerMinute: 100 };
const buy = (extra: Record<string, unknown> = {}) => ({ account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, orderType: 'MARKET', ...extra });
type O = { orderId: string; name: string; state: string; orderType: string; ocoId: string | null; bracketOf?: string | null; atm?: string | null; limitPrice: number | null; stopPrice: number | null; quantity: number };

test('a bracketed market entry fills and leaves two working exits in one OCO; the target fills and the stop is cancelled', async () => {
  const { c, conn, done } = await tradingSetup('Bracket Test', { confirmPolicy: 'always', limits: LIMITS });
  try {
    const pending = call(conn, 'place_order', buy({ clientOrderId: 'brk-1', stopLoss: { ticks: 8 }, takeProfit: { ticks: 16 } }));
    const conf = await c.waitForConfirmation();
    // The prompt shows the bracket, priced from the ask 6000.25 the entry takes now.
    assert.match(conf.summary, /^Buy 1 ES \d\d-\d\d MARKET DAY on Sim101, stop ≈5998\.25 \(−8 ticks from the fill, \$100\.00\), target ≈6004\.25 \(\+16 ticks from the fill, \$200\.00\)$/);
    assert.equal(conf.estimatedRisk, 100);
    await c.controlJson(`/confirmations/${conf.id}/approve`, { method: 'POST' });
    const placed = await pending;
    assert.equal(placed.isError, false, placed.text);
    assert.equal(placed.s.orders[0].name, 'brk-1');

    const working = await until(async () => {
      const r = await call(conn, 'list_orders', { account: 'Sim101' });
      return r.s.orders.length === 2 && (r.s.orders as O[]);
    }, 'two working exits');
    const stop = working.find((o) => o.orderType === 'StopMarket')!;
    const target = working.find((o) => o.orderType === 'Limit')!;
    assert.equal(stop.stopPrice, 5998.25);
    assert.equal(target.limitPrice, 6004.25);
    assert.ok(stop.ocoId && stop.ocoId === target.ocoId, 'one OCO group');
    assert.equal(stop.bracketOf, 'brk-1', 'shown as an exit of the client\'s entry');
    assert.equal(target.bracketOf, 'brk-1');

    // The market rallies through the target.
    c.simulator!.setQuote('ES', 6004.5);
    const all = await until(async () => {
      const r = await call(conn, 'list_orders', { account: 'Sim101', status: 'all' });
      const os = r.s.orders as O[];
      return os.find((o) => o.orderId === target.orderId)?.state === 'Filled' && os;
    }, 'the target filled');
    assert.equal(all.find((o) => o.orderId === stop.orderId)!.state, 'Cancelled');
    assert.equal((await call(conn, 'list_orders', { account: 'Sim101' })).s.orders.length, 0);
    assert.equal((await call(conn, 'list_positions', {})).s.positions.length, 0);
  } finally {
    await done();
  }
});

test('an ATM entry through its template: Stop1 and Target1 in one OCO, named as NT8 names them; the target fills and the stop is cancelled', async () => {
  const { c, conn, done } = await tradingSetup('ATM Test', { confirmPolicy: 'never', limits: LIMITS });
  try {
    const t = await call(conn, 'list_atm_templates');
    assert.equal(t.isError, false, t.text);
    const one = t.s.templates.find((x: { name: string }) => x.name === '1 Target + Stop');
    assert.deepEqual(one, { name: '1 Target + Stop', stops: [{ ticks: 8 }], targets: [{ ticks: 16, quantity: 1 }] });
    const placed = await call(conn, 'place_order', buy({ clientOrderId: 'atm-1', atmTemplate: '1 Target + Stop' }));
    assert.equal(placed.isError, false, placed.text);
    const working = await until(async () => {
      const r = await call(conn, 'list_orders', { account: 'Sim101' });
      return r.s.orders.length === 2 && (r.s.orders as O[]);
    }, 'the ATM children');
    assert.deepEqual(working.map((o) => o.name).sort(), ['Stop1', 'Target1']);
    for (const o of working) {
      assert.equal(o.atm, '1 Target + Stop');
      assert.equal(o.bracketOf, 'atm-1');
    }
    assert.equal(working[0]!.ocoId, working[1]!.ocoId);
    assert.match((await call(conn, 'list_orders', { account: 'Sim101' })).text, /\[Stop1\] \(exit of atm-1, OCO [^;]+; ATM "1 Target \+ Stop"\)/);
    c.simulator!.setQuote('ES', 6004.5); // target 16 ticks above the fill at 6000.25
    await until(async () => (await call(conn, 'list_positions', {})).s.positions.length === 0, 'flat after Target1');
    const all = (await call(conn, 'list_orders', { account: 'Sim101', status: 'all' })).s.orders as O[];
    assert.equal(all.find((o) => o.name === 'Target1')!.state, 'Filled');
    assert.equal(all.find((o) => o.name === 'Stop1')!.state, 'Cancelled');
    const fills = await call(conn, 'list_executions', { account: 'Sim101' });
    assert.ok(fills.s.executions.some((e: { orderName: string }) => e.orderName === 'Target1'), 'the child\'s own execution');
  } finally {
    await done();
  }
});

test('requireMarketPosition and a wrong-side stop are refused before any prompt; nothing is placed', async () => {
  const { c, conn, done } = await tradingSetup('Require Test', { confirmPolicy: 'always', limits: LIMITS });
  try {
    const r = await call(conn, 'place_order', buy({ requireMarketPosition: 'LONG' }));
    assert.equal(r.isError, true);
    assert.equal(r.code, 'position_mismatch');
    assert.match(r.text, /requireMarketPosition is Long, but Sim101 is flat in ES \(all contract months\)\. Nothing was placed/);
    const bad = await call(conn, 'place_order', buy({ stopLoss: { price: 6001 } }));
    assert.equal(bad.code, 'invalid_arguments');
    assert.match(bad.text, /The stopLoss 6001\.00 is on the wrong side of the entry 6000\.25 \(the ask now\): a long's stop must be below it/);
    const both = await call(conn, 'place_order', buy({ stopLoss: { ticks: 4 }, atmTemplate: '1 Target + Stop' }));
    assert.equal(both.code, 'invalid_arguments');
    assert.equal((await c.controlJson<{ confirmations: OrderConfirmation[] }>('/confirmations')).confirmations.length, 0, 'nobody was asked');
    assert.equal(c.simulator!.engine.orders('Sim101').length, 0, 'nothing placed');
    // As stated: flat → placed.
    const p = call(conn, 'place_order', buy({ requireMarketPosition: 'FLAT', clientOrderId: 'flat-ok' }));
    const conf = await c.waitForConfirmation();
    assert.match(conf.summary, /, only if flat$/);
    await c.controlJson(`/confirmations/${conf.id}/approve`, { method: 'POST' });
    assert.equal((await p).isError, false);
  } finally {
    await done();
  }
});

test('bracket exits are exits of the entry: they do not count against the position limit', async () => {
  const { c, conn, done } = await tradingSetup('Exit Count Test', { confirmPolicy: 'never', limits: LIMITS });
  try {
    // Long 2 (the limit) with a bracket: a stop and a target of 2 each work on the sell side.
    const placed = await call(conn, 'place_order', buy({ quantity: 2, stopLoss: { ticks: 8 }, takeProfit: { ticks: 8 } }));
    assert.equal(placed.isError, false, placed.text);
    await until(async () => c.link.mirror.orders('Sim101', { working: true }).length === 2, 'two exits in the mirror');
    // Selling 2 to close is within the limit (position 2 → 0): the exits are not counted as 4 more sells.
    const close = await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'SELL', quantity: 2, orderType: 'MARKET' });
    assert.equal(close.isError, false, close.text);
    await until(async () => c.link.mirror.orders('Sim101', { working: true }).length === 0, 'exits cancelled once flat');
    assert.equal(c.simulator!.engine.positions('Sim101').length, 0);
  } finally {
    await done();
  }
});
