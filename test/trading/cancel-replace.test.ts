// cancel_replace (issue 11, item 1): one of this client's working orders cancelled and a new one placed
// in its place, as one guarded action with one prompt; the new order leaves only once NinjaTrader
// reports the old one Cancelled. Through the SDK client after tools/list, against the simulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { approveNext, tradingSetup, type TestCompanion } from '../helpers/companion.ts';
import { connectWithOAuth, HeadlessProvider } from '../helpers/sdk-client.ts';
import type { AuditPage } from '../../src/control/contract.ts';
import { call, until } from '../helpers/tools.ts';

const LIMITS = { maxOrderQuantity: 5, maxPositionPerInstrument: 10, maxOrdersPerMinute: 100 };
const limitBuy = (quantity: number, limitPrice: number, extra: Record<string, unknown> = {}) => ({ account: 'Sim101', instrument: 'ES', action: 'BUY', quantity, orderType: 'LIMIT', limitPrice, ...extra });
const ordersNamed = (c: TestCompanion, clientOrderId: string) => c.simulator!.engine.orders('Sim101').filter((o) => o.name.endsWith(`:${clientOrderId}`));
const stateOf = (c: TestCompanion, orderId: string) => c.simulator!.engine.orders('Sim101').find((o) => o.orderId === orderId)?.state;

test('a resting limit replaced at another price: one prompt naming both, the old Cancelled, the new Working; a retry returns the first result', async () => {
  const { c, conn, done } = await tradingSetup('Replacer', { confirmPolicy: 'always', limits: LIMITS });
  try {
    const first = call(conn, 'place_order', limitBuy(1, 5990, { clientOrderId: 'old-1' }));
    await c.controlJson(`/confirmations/${(await c.waitForConfirmation()).id}/approve`, { method: 'POST' });
    const oldId: string = (await first).s.orders[0].orderId;
    assert.equal(stateOf(c, oldId), 'Working');

    const replacing = call(conn, 'cancel_replace', { orderId: oldId, ...limitBuy(1, 5995, { clientOrderId: 'new-1' }) });
    const prompt = await c.waitForConfirmation();
    assert.match(prompt.summary, new RegExp(`^Cancel order ${oldId} \\(Buy 1 ES \\d\\d-\\d\\d LIMIT @ 5990\\.00\\) on Sim101 and replace it with Buy 1 ES \\d\\d-\\d\\d LIMIT @ 5995\\.00 DAY$`));
    assert.equal(prompt.tool, 'cancel_replace');
    // Nothing has left before the person decides.
    assert.equal(stateOf(c, oldId), 'Working');
    await c.controlJson(`/confirmations/${prompt.id}/approve`, { method: 'POST' });
    const r = await replacing;
    assert.equal(r.isError, false, r.text);
    assert.equal(r.s.status, 'replaced');
    assert.deepEqual(r.s.cancelled, [oldId]);
    assert.equal(r.s.orders[0].name, 'new-1');
    assert.equal(r.s.orders[0].limitPrice, 5995);
    assert.equal(stateOf(c, oldId), 'Cancelled');
    assert.equal(stateOf(c, r.s.orders[0].orderId), 'Working');
    assert.equal((await c.controlJson<{ confirmations: unknown[] }>('/confirmations')).confirmations.length, 0, 'one prompt only');

    // Audit: one durable submit row and one result for the action, as for every trade tool.
    const rows = (await c.controlJson<AuditPage>('/audit?limit=100')).rows.filter((x) => x.tool === 'cancel_replace');
    assert.deepEqual(rows.map((x) => x.event).sort(), ['tool.call', 'trade.confirmation', 'trade.result', 'trade.submit']);

    // A retry with the same clientOrderId: the first result, nothing cancelled or placed, nobody asked.
    const again = await call(conn, 'cancel_replace', { orderId: oldId, ...limitBuy(1, 5995, { clientOrderId: 'new-1' }) });
    assert.equal(again.isError, false, again.text);
    assert.equal(again.s.duplicate, true);
    assert.equal(again.s.orders[0].orderId, r.s.orders[0].orderId);
    assert.equal(ordersNamed(c, 'new-1').length, 1);
  } finally {
    await done();
  }
});

test('the old order fills before the cancel reaches NinjaTrader: the cancel fails, nothing new is placed, and the answer says so', async () => {
  const { c, conn, done } = await tradingSetup('Replacer', { confirmPolicy: 'never', limits: LIMITS });
  try {
    const oldId: string = (await call(conn, 'place_order', limitBuy(1, 5990, { clientOrderId: 'old-2' }))).s.orders[0].orderId;
    c.simulator!.pauseResponses();
    const replacing = call(conn, 'cancel_replace', { orderId: oldId, ...limitBuy(1, 5980, { clientOrderId: 'new-2' }) });
    await until(async () => c.simulator!.heldRequests() === 1, 'the cancel is on its way');
    c.simulator!.setQuote('ES', 5985); // the market trades through 5990: the old buy fills
    await until(async () => c.link.mirror.orderById('Sim101', oldId)?.state === 'Filled', 'the fill reported');
    c.simulator!.resumeResponses();
    const r = await replacing;
    assert.equal(r.code, 'replace_not_done', r.text);
    assert.match(r.text, /NOT placed/);
    assert.equal(r.meta!.state, 'Filled');
    assert.equal(ordersNamed(c, 'new-2').length, 0, 'no new order');
    // The same clientOrderId again replays that answer; it never places.
    const again = await call(conn, 'cancel_replace', { orderId: oldId, ...limitBuy(1, 5980, { clientOrderId: 'new-2' }) });
    assert.equal(again.code, 'replace_not_done');
    assert.equal(ordersNamed(c, 'new-2').length, 0);
  } finally {
    await done();
  }
});

test('the old order fills while the person decides: approving places nothing (checked again at approval)', async () => {
  const { c, conn, done } = await tradingSetup('Replacer', { confirmPolicy: 'always', limits: LIMITS });
  try {
    const first = call(conn, 'place_order', limitBuy(1, 5990, { clientOrderId: 'old-3' }));
    await c.controlJson(`/confirmations/${(await c.waitForConfirmation()).id}/approve`, { method: 'POST' });
    const oldId: string = (await first).s.orders[0].orderId;
    const replacing = call(conn, 'cancel_replace', { orderId: oldId, ...limitBuy(1, 5995, { clientOrderId: 'new-3' }) });
    const prompt = await c.waitForConfirmation();
    c.simulator!.setQuote('ES', 5985);
    await until(async () => c.link.mirror.orderById('Sim101', oldId)?.state === 'Filled', 'the fill reported');
    await c.controlJson(`/confirmations/${prompt.id}/approve`, { method: 'POST' });
    const r = await replacing;
    assert.equal(r.code, 'replace_not_done', r.text);
    assert.match(r.text, /already Filled/);
    assert.equal(ordersNamed(c, 'new-3').length, 0);
  } finally {
    await done();
  }
});

test("another client's order is refused before any prompt; so is an order NinjaTrader does not list", async () => {
  const { c, conn, done } = await tradingSetup('Replacer', { confirmPolicy: 'always', limits: LIMITS });
  const other = await connectWithOAuth(
    c.mcpUrl,
    (id) => approveNext(c, { scope: 'mcp:read mcp:trade', accounts: ['Sim101'], confirmPolicy: 'never', limits: LIMITS }, id).then(() => {}),
    new HeadlessProvider('http://127.0.0.1:9000/cb', 'Other'),
  );
  try {
    const theirs: string = (await call(other, 'place_order', limitBuy(1, 5990, { clientOrderId: 'theirs' }))).s.orders[0].orderId;
    const r = await call(conn, 'cancel_replace', { orderId: theirs, ...limitBuy(1, 5995, { clientOrderId: 'mine' }) });
    assert.equal(r.code, 'order_not_yours', r.text);
    assert.equal(stateOf(c, theirs), 'Working', 'their order untouched');
    assert.equal(ordersNamed(c, 'mine').length, 0);
    const missing = await call(conn, 'cancel_replace', { orderId: 'NO-SUCH', ...limitBuy(1, 5995) });
    assert.equal(missing.code, 'unknown_order', missing.text);
    assert.equal((await c.controlJson<{ confirmations: unknown[] }>('/confirmations')).confirmations.length, 0, 'nobody was asked');
  } finally {
    await other.close().catch(() => {});
    await done();
  }
});

test("the new order is checked against the position limit with the old order's remaining quantity left out", async () => {
  const { c, conn, done } = await tradingSetup('Replacer', { confirmPolicy: 'never', limits: { ...LIMITS, maxPositionPerInstrument: 2 } });
  try {
    const oldId: string = (await call(conn, 'place_order', limitBuy(2, 5990, { clientOrderId: 'two' }))).s.orders[0].orderId;
    // A 2-lot for a 2-lot at a limit of 2: passes (the old 2 are being cancelled).
    const r = await call(conn, 'cancel_replace', { orderId: oldId, ...limitBuy(2, 5985, { clientOrderId: 'two-b' }) });
    assert.equal(r.isError, false, r.text);
    const newId: string = r.s.orders[0].orderId;
    // A 3-lot for the 2-lot: over the limit, refused before anything is cancelled.
    const over = await call(conn, 'cancel_replace', { orderId: newId, ...limitBuy(3, 5980, { clientOrderId: 'three' }) });
    assert.equal(over.code, 'limit_max_position', over.text);
    assert.match(over.text, /from 0 to 3/);
    assert.equal(stateOf(c, newId), 'Working', 'the old order was not cancelled');
    assert.equal(ordersNamed(c, 'three').length, 0);
  } finally {
    await done();
  }
});

test('no answer to the cancel: outcome_unknown, and the new order is never placed', async () => {
  const { c, conn, done } = await tradingSetup('Replacer', { confirmPolicy: 'never', limits: LIMITS }, { trading: { addonTimeoutMs: 300 } });
  try {
    const oldId: string = (await call(conn, 'place_order', limitBuy(1, 5990, { clientOrderId: 'old-4' }))).s.orders[0].orderId;
    c.simulator!.pauseResponses();
    const r = await call(conn, 'cancel_replace', { orderId: oldId, ...limitBuy(1, 5995, { clientOrderId: 'new-4' }) });
    assert.equal(r.code, 'outcome_unknown', r.text);
    assert.match(r.text, /new order was NOT placed/);
    c.simulator!.resumeResponses(); // the cancel arrives late and is done
    await until(async () => c.link.mirror.orderById('Sim101', oldId)?.state === 'Cancelled', 'the late cancel');
    assert.equal(ordersNamed(c, 'new-4').length, 0);
  } finally {
    await done();
  }
});
