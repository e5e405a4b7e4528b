// Exposure-based limits (issue 9, finding 3): the net position limit counts position + working
// orders + in-flight orders + pending confirmations (worst case in the order's direction), checked
// and reserved in one step per account, for place, modify, reverse and the person's approvals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type TestCompanion, tradingSetup } from '../helpers/companion.ts';
import type { ApproveConsentBody, OrderConfirmation } from '../../src/control/contract.ts';
import { call, until } from '../helpers/tools.ts';
import type { CompanionOptions } from '../../src/companion.ts';

const LIMITS = { maxOrderQuantity: 5, maxPositionPerInstrument: 10, maxOrdersPerMinute: 100 };

const setup = (approve: ApproveConsentBody, opts: Partial<CompanionOptions> = {}) => tradingSetup('Exposure Test', { limits: LIMITS, ...approve }, opts);

const buy = (quantity: number, extra: Record<string, unknown> = {}) => ({ account: 'Sim101', instrument: 'ES', action: 'BUY', quantity, orderType: 'MARKET', ...extra });
const long = (c: TestCompanion) => c.simulator!.engine.positions('Sim101').reduce((s, p) => s + p.quantity, 0);

test('three concurrent market buys of 5 against a limit of 10: at most 10 fill, the rest refused with limit_max_position', async () => {
  const { c, conn, done } = await setup({ confirmPolicy: 'never' });
  try {
    // NinjaTrader holds its answers: all three are in flight at once, as on a busy real link.
    c.simulator!.pauseResponses();
    const settled: boolean[] = [false, false, false];
    const calls = [0, 1, 2].map((i) => call(conn, 'place_order', buy(5)).finally(() => (settled[i] = true)));
    await until(async () => c.simulator!.heldRequests() + settled.filter(Boolean).length === 3, 'three calls sent or refused');
    c.simulator!.resumeResponses();
    const rs = await Promise.all(calls);
    const refused = rs.filter((r) => r.isError);
    assert.ok(refused.length >= 1, 'at least one is refused');
    for (const r of refused) assert.equal(r.code, 'limit_max_position', r.text);
    assert.ok(long(c) <= 10, `position ${long(c)} must not exceed 10`);
  } finally {
    await done();
  }
});

test('three pending confirmations approved at once cannot exceed the limit', async () => {
  const { c, conn, done } = await setup({ confirmPolicy: 'always' });
  try {
    const settled: boolean[] = [false, false, false];
    const calls = [0, 1, 2].map((i) => call(conn, 'place_order', buy(5)).finally(() => (settled[i] = true)));
    // Every call either waits for the person or was already refused.
    const pending = await until(async () => {
      const list = (await c.controlJson<{ confirmations: OrderConfirmation[] }>('/confirmations')).confirmations;
      return list.length + settled.filter(Boolean).length === 3 ? list : undefined;
    }, 'three calls prompted or refused');
    c.simulator!.pauseResponses();
    await Promise.all(pending.map((p) => c.control(`/confirmations/${p.id}/approve`, { method: 'POST' })));
    await until(async () => c.simulator!.heldRequests() + settled.filter(Boolean).length === 3, 'approved calls sent or refused');
    c.simulator!.resumeResponses();
    const rs = await Promise.all(calls);
    const refused = rs.filter((r) => r.isError);
    assert.ok(refused.length >= 1, 'at least one is refused');
    for (const r of refused) assert.equal(r.code, 'limit_max_position', r.text);
    await until(async () => c.link.mirror.orders('Sim101', { working: true }).length === 0, 'fills in the mirror');
    assert.ok(long(c) <= 10, `position ${long(c)} must not exceed 10`);
  } finally {
    await done();
  }
});

test('a resting limit modified through the market counts against the position limit', async () => {
  const { c, conn, done } = await setup({ confirmPolicy: 'never', limits: { ...LIMITS, maxPositionPerInstrument: 6 } });
  try {
    assert.equal((await call(conn, 'place_order', buy(3))).isError, false);
    const resting = await call(conn, 'place_order', buy(3, { orderType: 'LIMIT', limitPrice: 5900 }));
    assert.equal(resting.isError, false, resting.text);
    // 3 held + 3 working = 6: a further buy of 1 is over the limit even though only 3 are filled.
    const more = await call(conn, 'place_order', buy(1));
    assert.equal(more.code, 'limit_max_position', more.text);
    const moved = await call(conn, 'modify_order', { account: 'Sim101', orderId: resting.s.orders[0].orderId, quantity: 5, limitPrice: 6010 });
    assert.equal(moved.code, 'limit_max_position', moved.text);
    assert.equal(long(c), 3, 'nothing filled');
    // Lowering the quantity is always allowed.
    assert.equal((await call(conn, 'modify_order', { account: 'Sim101', orderId: resting.s.orders[0].orderId, quantity: 2 })).isError, false);
  } finally {
    await done();
  }
});

test('reverse of a 4-lot with a maximum of 5 per order is refused: it is one order of 8', async () => {
  const { c, conn, done } = await setup({ confirmPolicy: 'never' });
  try {
    assert.equal((await call(conn, 'place_order', buy(4))).isError, false);
    await until(async () => long(c) === 4, 'long 4');
    const r = await call(conn, 'reverse_position', { account: 'Sim101', instrument: 'ES' });
    assert.equal(r.code, 'limit_max_order_quantity', r.text);
    assert.match(r.text, /8/);
    assert.equal(long(c), 4, 'still long 4');
  } finally {
    await done();
  }
});

test('a modify whose outcome is unknown stays counted until NinjaTrader reports it', async () => {
  const { c, conn, done } = await setup({ confirmPolicy: 'never', limits: { ...LIMITS, maxPositionPerInstrument: 6 } }, { trading: { addonTimeoutMs: 300 } });
  try {
    const resting = await call(conn, 'place_order', buy(2, { orderType: 'LIMIT', limitPrice: 5900 }));
    assert.equal(resting.isError, false, resting.text);
    c.simulator!.pauseResponses();
    const up = await call(conn, 'modify_order', { account: 'Sim101', orderId: resting.s.orders[0].orderId, quantity: 5 });
    assert.equal(up.code, 'outcome_unknown');
    // NinjaTrader may have raised it to 5: 5 + 2 would be 7 > 6.
    const more = await call(conn, 'place_order', buy(2));
    assert.equal(more.code, 'limit_max_position', more.text);
    c.simulator!.resumeResponses();
    await until(async () => c.link.mirror.orderById('Sim101', resting.s.orders[0].orderId)?.quantity === 5, 'the change reported');
    assert.equal((await call(conn, 'place_order', buy(1))).isError, false, 'the change now counts from the mirror, once');
  } finally {
    await done();
  }
});

test('a reversal whose outcome is unknown stays counted until the position changes', async () => {
  const { c, conn, done } = await setup({ confirmPolicy: 'never', limits: { ...LIMITS, maxOrderQuantity: 10 } }, { trading: { addonTimeoutMs: 300 } });
  try {
    assert.equal((await call(conn, 'place_order', buy(4))).isError, false);
    await until(async () => long(c) === 4, 'long 4');
    c.simulator!.pauseResponses();
    assert.equal((await call(conn, 'reverse_position', { account: 'Sim101', instrument: 'ES' })).code, 'outcome_unknown');
    // NinjaTrader may be short 4 already: selling 7 more could reach short 11 > 10.
    const more = await call(conn, 'place_order', buy(7, { action: 'SELL' }));
    assert.equal(more.code, 'limit_max_position', more.text);
    c.simulator!.resumeResponses();
    await until(async () => c.link.mirror.positions('Sim101').some((p) => p.marketPosition === 'Short' && p.quantity === 4), 'short 4 reported');
    const fits = await call(conn, 'place_order', buy(6, { action: 'SELL' }));
    assert.equal(fits.isError, false, `the reversal now counts from the position, once: ${fits.text}`);
  } finally {
    await done();
  }
});

test('orders per minute holds under concurrency: three concurrent orders against a maximum of 2 send at most 2', async () => {
  const { c, conn, done } = await setup({ confirmPolicy: 'never', limits: { ...LIMITS, maxOrdersPerMinute: 2 } });
  try {
    c.simulator!.pauseResponses();
    const settled: boolean[] = [false, false, false];
    const calls = [0, 1, 2].map((i) => call(conn, 'place_order', buy(1)).finally(() => (settled[i] = true)));
    await until(async () => c.simulator!.heldRequests() + settled.filter(Boolean).length === 3, 'three calls sent or refused');
    c.simulator!.resumeResponses();
    const rs = await Promise.all(calls);
    const refused = rs.filter((r) => r.isError);
    assert.equal(refused.length, 1, rs.map((r) => r.text).join('\n'));
    assert.equal(refused[0]!.code, 'limit_orders_per_minute');
    assert.equal(c.simulator!.engine.orders('Sim101').length, 2);
  } finally {
    await done();
  }
});
