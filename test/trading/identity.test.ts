// Order identity (issue 9, finding 2): two clients sharing an account use the same clientOrderId;
// each gets its own order. The id travels namespaced per client (mcp:<tag>:<clientOrderId>, at most
// 50 characters, NT8's cap), and reconciliation and get_order match only the caller's own name —
// never an NT8 order id, never another client's order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { approveNext, startTestCompanion } from '../helpers/companion.ts';
import { connectWithOAuth, HeadlessProvider } from '../helpers/sdk-client.ts';
import { call } from '../helpers/tools.ts';
import type { ApproveConsentBody } from '../../src/control/contract.ts';

test('one clientOrderId, two clients, one account: each client gets its own order; reconciliation and get_order never match another client', async () => {
  const c = await startTestCompanion({ trading: { addonTimeoutMs: 300 } });
  c.simulator!.setQuote('ES', 6000);
  c.simulator!.setQuote('NQ', 21000);
  const grant: ApproveConsentBody = { scope: 'mcp:read mcp:trade', accounts: ['Sim101', 'Sim102'], confirmPolicy: 'never' };
  const a = await connectWithOAuth(c.mcpUrl, (id) => approveNext(c, grant, id).then(() => {}), new HeadlessProvider('http://127.0.0.1:9001/cb', 'Client A'));
  const b = await connectWithOAuth(c.mcpUrl, (id) => approveNext(c, { ...grant, confirmPolicy: 'always' }, id).then(() => {}), new HeadlessProvider('http://127.0.0.1:9002/cb', 'Client B'));
  try {
    const ra = await call(a, 'place_order', { account: 'Sim102', instrument: 'ES', action: 'BUY', quantity: 1, clientOrderId: 'shared-7' });
    assert.equal(ra.isError, false, ra.text);
    const aOrder = ra.s.orders[0];
    assert.equal(aOrder.name, 'shared-7', "the caller sees its own clientOrderId as the order's name");

    const pb = call(b, 'place_order', { account: 'Sim102', instrument: 'NQ', action: 'SELL', quantity: 3, clientOrderId: 'shared-7' });
    const conf = await c.waitForConfirmation();
    assert.match(conf.summary, /Sell 3 NQ/);
    await c.controlJson(`/confirmations/${conf.id}/approve`, { body: {} });
    const rb = await pb;
    assert.equal(rb.isError, false, rb.text);
    assert.notEqual(rb.s.duplicate, true, 'not a duplicate of the other client');
    assert.notEqual(rb.s.orders[0].orderId, aOrder.orderId);
    assert.match(rb.s.orders[0].instrument, /^NQ /);
    assert.equal(rb.s.orders[0].quantity, 3);

    // On the wire (the NT8 order Name): namespaced per client, within NT8's 50 characters.
    const wire = c.simulator!.engine.orders('Sim102');
    assert.equal(wire.length, 2, 'both orders exist');
    const names = wire.map((o) => o.name);
    assert.notEqual(names[0], names[1]);
    for (const n of names) {
      assert.match(n, /^mcp:[0-9a-f]{12}:shared-7$/);
      assert.ok(n.length <= 50);
    }

    // get_order by clientOrderId: the caller's own order only.
    assert.match((await call(b, 'get_order', { account: 'Sim102', clientOrderId: 'shared-7' })).s.order.instrument, /^NQ /);
    assert.match((await call(a, 'get_order', { account: 'Sim102', clientOrderId: 'shared-7' })).s.order.instrument, /^ES /);
    // A clientOrderId equal to another order's NT8 id is not that order.
    assert.equal((await call(b, 'get_order', { account: 'Sim102', clientOrderId: aOrder.orderId })).code, 'unknown_order');
    // The account's real exposure is visible to every client on it, but not another client's ids.
    const listed = (await call(b, 'list_orders', { account: 'Sim102', status: 'all' })).s.orders as { orderId: string; name: string }[];
    assert.equal(listed.length, 2);
    const seenA = listed.find((o) => o.orderId === aOrder.orderId)!;
    assert.ok(!seenA.name.includes('shared-7'), `another client's clientOrderId is not shown: ${seenA.name}`);
    assert.ok(!/mcp:[0-9a-f]{12}/.test(seenA.name), 'nor its namespace tag');

    // After an unknown outcome, a clientOrderId equal to A's NT8 order id must not reconcile to A's order.
    c.simulator!.pauseResponses();
    const pu = call(b, 'place_order', { account: 'Sim102', instrument: 'NQ', action: 'SELL', quantity: 1, orderType: 'LIMIT', limitPrice: 21500, clientOrderId: aOrder.orderId });
    const conf2 = await c.waitForConfirmation();
    await c.controlJson(`/confirmations/${conf2.id}/approve`, { body: {} });
    const unknown = await pu;
    assert.equal(unknown.code, 'outcome_unknown');
    const retry = await call(b, 'place_order', { account: 'Sim102', instrument: 'NQ', action: 'SELL', quantity: 1, orderType: 'LIMIT', limitPrice: 21500, clientOrderId: aOrder.orderId });
    assert.equal(retry.isError, true, `must not be told it was placed as ${aOrder.orderId}: ${retry.text}`);
    assert.equal(retry.code, 'outcome_unknown');
    c.simulator!.resumeResponses();

    // The length cap: 50 characters on the wire leave 32 for the clientOrderId.
    const long = await call(a, 'place_order', { account: 'Sim102', instrument: 'ES', action: 'BUY', quantity: 1, clientOrderId: 'x'.repeat(33) });
    assert.equal(long.isError, true);
    assert.match(long.text, /1-32/);
  } finally {
    await a.close().catch(() => {});
    await b.close().catch(() => {});
    await c.cleanup();
  }
});

test('the wire name fits NT8: the protocol refuses an order name over 50 characters before sending; the longest clientOrderId fits', async () => {
  const { methods } = await import('../../src/ninjatrader/protocol.ts');
  const { wireName, CLIENT_ORDER_ID_MAX } = await import('../../src/trading/trading.ts');
  const base = { account: 'Sim101', instrument: 'ES 12-26', action: 'Buy', orderType: 'Market', quantity: 1, timeInForce: 'Day' };
  const longest = wireName('cli_any-client-id', 'x'.repeat(CLIENT_ORDER_ID_MAX));
  assert.ok(longest.length <= 50, longest);
  assert.equal(methods.placeOrder.params.safeParse({ ...base, name: longest }).success, true);
  assert.equal(methods.placeOrder.params.safeParse({ ...base, name: 'x'.repeat(51) }).success, false);
});
