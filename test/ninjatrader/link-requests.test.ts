import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddonDisconnectedError, AddonLink, AddonRequestError, AddonTimeoutError } from '../../src/ninjatrader/link.ts';
import { SECRET, once, rig, until } from './helpers.ts';

const order = { account: 'Sim101', instrument: 'ES', action: 'Buy', orderType: 'Limit', limitPrice: 5990, quantity: 1, timeInForce: 'Gtc' } as const;

test('placeOrder round trip: the mirror already holds the order when the answer arrives', async (t) => {
  const r = await rig();
  t.after(() => r.close());
  const a = r.addon();
  await a.connected;
  await until(() => !r.link.mirror.stale);
  const res = await r.link.request('placeOrder', { ...order, name: 'client-1' });
  assert.equal(res.order.state, 'Working');
  assert.equal(res.order.instrument, 'ES 12-26');
  assert.equal(r.link.mirror.order('Sim101', 'client-1')?.state, 'Working');
  assert.ok(r.activities.some((x) => x.kind === 'order' && x.message === `Order ${res.order.orderId} Buy 1 ES 12-26 Limit 5990.00 Working (Sim101)`));
  // The market comes down to the limit: the fill streams into the mirror.
  const filled = once(r.link, 'event', (e: { kind: string; order?: { state: string } }) => e.kind === 'order' && e.order?.state === 'Filled');
  a.setQuote('ES', 5985);
  await filled;
  assert.equal(r.link.mirror.order('Sim101', 'client-1')?.averageFillPrice, 5990);
  assert.deepEqual(r.link.mirror.positions('Sim101').map((p) => [p.marketPosition, p.quantity, p.averagePrice]), [['Long', 1, 5990]]);
  assert.equal(r.link.mirror.executions('Sim101').length, 1);
  assert.equal(r.link.mirror.quote('ES 12-26')?.last, 5985);
  // Bars come back validated.
  const { bars } = await r.link.request('getBars', { instrument: 'ES 12-26', period: 'day', count: 5 });
  assert.equal(bars.length, 5);
});

test('an ok:false answer becomes AddonRequestError with the add-on code and message', async (t) => {
  const r = await rig();
  t.after(() => r.close());
  await r.addon().connected;
  await assert.rejects(
    r.link.request('placeOrder', { ...order, orderType: 'StopMarket', limitPrice: undefined, stopPrice: 5900, name: 'bad-stop' }),
    (e: unknown) =>
      e instanceof AddonRequestError && e.code === 'invalid_order' && e.message === 'Order rejected: stop price 5900.00 is below the market 6000.00 for a buy stop',
  );
  await assert.rejects(r.link.request('cancelOrder', { account: 'Sim999', orderId: 'x' }), { code: 'unknown_account' });
  // Params are validated before anything is sent.
  await assert.rejects(r.link.request('getBars', { instrument: 'ES', period: 'week' as 'day', count: 5 }), { code: 'invalid_request' });
});

test('not connected: AddonDisconnectedError at once, nothing sent', async () => {
  const link = new AddonLink({ pairingSecret: SECRET, mode: 'addon', requestTimeoutMs: 5000 });
  const t0 = Date.now();
  await assert.rejects(link.request('flattenEverything', {}), (e: unknown) => e instanceof AddonDisconnectedError && e.code === 'addon_disconnected');
  assert.ok(Date.now() - t0 < 100);
  link.close();
});

test('no answer in time: AddonTimeoutError (outcome unknown); the late answer is ignored, its events still land', async (t) => {
  const r = await rig({ requestTimeoutMs: 5000 });
  t.after(() => r.close());
  const a = r.addon();
  await a.connected;
  await until(() => !r.link.mirror.stale);
  a.pauseResponses();
  const t0 = Date.now();
  await assert.rejects(
    r.link.request('placeOrder', { ...order, name: 'slow-1' }, { timeoutMs: 100 }),
    (e: unknown) => e instanceof AddonTimeoutError && e.code === 'addon_timeout' && e.outcomeUnknown && e.reason === 'timeout' && /unknown/.test(e.message),
  );
  assert.ok(Date.now() - t0 >= 95);
  assert.equal(a.engine.orders().length, 0, 'the add-on has not acted yet');
  a.resumeResponses();
  await until(() => r.link.mirror.order('Sim101', 'slow-1') !== undefined, 3000, 'late order event');
  await until(() => r.activities.some((x) => x.kind === 'error' && /unknown or expired request/.test(x.message)), 3000, 'late answer logged');
  assert.equal(a.engine.orders().length, 1, 'placed exactly once');
});

test('a request in flight when the link drops fails as outcome unknown, not as "not sent"', async (t) => {
  const r = await rig();
  t.after(() => r.close());
  const a = r.addon({ reconnectMinMs: 10_000 });
  await a.connected;
  await until(() => !r.link.mirror.stale);
  a.pauseResponses();
  const p = r.link.request('placeOrder', { ...order, name: 'inflight' });
  await until(() => a.heldRequests() === 1, 3000, 'the request to reach the add-on');
  a.dropConnection();
  await assert.rejects(p, (e: unknown) => e instanceof AddonTimeoutError && e.reason === 'disconnected');
  await assert.rejects(r.link.request('placeOrder', { ...order, name: 'after' }), AddonDisconnectedError);
});
