// Orders of unknown outcome are resolved by the person at the desktop, never by a client (issue 9,
// "What to build" 4: "unknowable → outcome_unknown shown in the dashboard for the person to
// resolve, and a retry then behaves by that answer"). The outcome becomes unknown for real here: the
// simulated NinjaTrader holds the request past the companion's timeout, then loses it (never placed)
// or processes it late (placed). The person answers through the control API; the client's retry
// with the same clientOrderId then behaves by the answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INIT, mcpPost, tradingSetup } from '../helpers/companion.ts';
import { call, until } from '../helpers/tools.ts';
import type { AuditPage, ResolveUnknownResult, UnknownOrder } from '../../src/control/contract.ts';

const limitBuy = (clientOrderId: string, limitPrice = 5990) => ({ account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, orderType: 'LIMIT', limitPrice, clientOrderId });

async function setup(limits = {}) {
  const t = await tradingSetup('Unknown Outcome Bot', { confirmPolicy: 'never', limits: { maxPositionPerInstrument: 1, ...limits } }, { trading: { addonTimeoutMs: 300 } });
  const sim = t.c.simulator!;
  /** place_order whose request reaches "NinjaTrader" and stays unanswered past the timeout. */
  const lose = async (clientOrderId: string, fate: 'lost' | 'late', limitPrice = 5990) => {
    sim.pauseResponses();
    const r = await call(t.conn, 'place_order', limitBuy(clientOrderId, limitPrice));
    assert.equal(r.code, 'outcome_unknown', r.text);
    if (fate === 'lost') sim.dropHeldRequests();
    sim.resumeResponses(); // a late one is processed now: NinjaTrader lists it under its name
    if (fate === 'late') await until(async () => t.c.link.mirror.orders('Sim101').some((o) => o.name.endsWith(`:${clientOrderId}`)), 'the late order in the mirror');
  };
  const unknown = async () => (await t.c.controlJson<{ orders: UnknownOrder[] }>('/unknown-orders')).orders;
  const resolve = (body: Record<string, unknown>) => t.c.control('/unknown-orders/resolve', { body });
  const clientId = (await t.c.controlJson<{ clients: { id: string }[] }>('/clients')).clients[0]!.id;
  const nt8Orders = (suffix: string) => sim.engine.orders('Sim101').filter((o) => o.name.endsWith(`:${suffix}`));
  return { ...t, sim, lose, unknown, resolve, clientId, nt8Orders };
}

test('"It was never placed": the row becomes not_sent, the reservation is released, the retry sends it once; audited as the desktop', async () => {
  const { c, conn, done, lose, unknown, resolve, clientId, nt8Orders } = await setup();
  try {
    await lose('lost-1', 'lost');
    const [u, ...rest] = await unknown();
    assert.equal(rest.length, 0);
    assert.equal(u!.clientOrderId, 'lost-1');
    assert.equal(u!.clientId, clientId);
    assert.equal(u!.clientName, 'Unknown Outcome Bot');
    assert.equal(u!.account, 'Sim101');
    assert.match(u!.summary, /^Buy 1 ES \d\d-\d\d LIMIT @ 5990\.00 DAY on Sim101$/);
    assert.match(u!.reason, /Outcome unknown/);
    assert.ok(u!.sentAt, 'it left for NinjaTrader');
    assert.equal(u!.found, null);
    assert.deepEqual(u!.candidates, []);

    // Nothing settles it by itself: the retry still says unknown, and nothing is sent.
    const before = await call(conn, 'place_order', limitBuy('lost-1'));
    assert.equal(before.code, 'outcome_unknown');
    assert.equal(nt8Orders('lost-1').length, 0);

    const r = await resolve({ clientId, clientOrderId: 'lost-1', resolution: 'not_placed' });
    assert.equal(r.status, 200);
    assert.deepEqual((await r.json()) as ResolveUnknownResult, { resolved: true, status: 'not_sent', orderId: null });
    assert.deepEqual(await unknown(), []);
    const audit = (await c.controlJson<AuditPage>(`/audit?client=${encodeURIComponent(clientId)}`)).rows.find((x) => x.event === 'order.resolved')!;
    assert.equal(audit.kind, 'control');
    assert.equal(audit.outcome, 'ok');
    assert.match(audit.detail!, /^the desktop \(control token\): never placed: Buy 1 ES .* \(clientOrderId "lost-1"\)/);

    // The retry sends it — once. (Its unknown reservation was released: with a position limit of 1
    // the retry would otherwise be refused as a second contract.)
    const retry = await call(conn, 'place_order', limitBuy('lost-1'));
    assert.equal(retry.isError, false, retry.text);
    assert.notEqual(retry.s.duplicate, true);
    assert.equal(retry.s.orders[0].name, 'lost-1');
    assert.equal(nt8Orders('lost-1').length, 1);
    const again = await call(conn, 'place_order', limitBuy('lost-1'));
    assert.equal(again.s.duplicate, true);
    assert.equal(nt8Orders('lost-1').length, 1, 'never a second order');

    // Resolved once: answering again is 404.
    const twice = await resolve({ clientId, clientOrderId: 'lost-1', resolution: 'not_placed' });
    assert.equal(twice.status, 404);
    assert.equal(((await twice.json()) as { error: string }).error, 'not_found');
  } finally {
    await done();
  }
});

test('"It was placed" (listed under its name): "never placed" is refused while NinjaTrader lists it; the retry returns that order, no duplicate', async () => {
  const { done, conn, lose, unknown, resolve, clientId, nt8Orders } = await setup();
  try {
    await lose('late-1', 'late');
    const [u] = await unknown();
    assert.equal(u!.clientOrderId, 'late-1');
    assert.ok(u!.found, 'NinjaTrader lists it under its name now');
    assert.equal(u!.found!.name, u!.wireName);
    const orderId = u!.found!.orderId;

    const wrong = await resolve({ clientId, clientOrderId: 'late-1', resolution: 'not_placed' });
    assert.equal(wrong.status, 409);
    const body = (await wrong.json()) as { error: string; message: string };
    assert.equal(body.error, 'listed_at_ninjatrader');
    assert.match(body.message, new RegExp(`lists order ${orderId}`));

    const r = await resolve({ clientId, clientOrderId: 'late-1', resolution: 'placed' });
    assert.equal(r.status, 200);
    assert.deepEqual((await r.json()) as ResolveUnknownResult, { resolved: true, status: 'placed', orderId });
    const retry = await call(conn, 'place_order', limitBuy('late-1'));
    assert.equal(retry.isError, false, retry.text);
    assert.equal(retry.s.duplicate, true);
    assert.equal(retry.s.orders[0].orderId, orderId);
    assert.equal(retry.s.orders[0].name, 'late-1', "the client sees its own clientOrderId, not the wire name");
    assert.equal(nt8Orders('late-1').length, 1, 'nothing new was placed');
  } finally {
    await done();
  }
});

test('"It was placed, it is order X": X must exist on the account, in the same contract and side, and be no other request\'s order', async () => {
  const { c, conn, done, sim, lose, unknown, resolve, clientId, nt8Orders } = await setup({ maxPositionPerInstrument: 10 });
  try {
    // Another request of this client, answered normally: its order is not a candidate.
    const other = await call(conn, 'place_order', limitBuy('other-1', 5980));
    assert.equal(other.isError, false, other.text);
    await lose('lost-2', 'lost');
    // NinjaTrader lists orders placed by hand: one that may be it, one on the other side, one in NQ.
    const manual = (p: Record<string, unknown>) => {
      const r = sim.engine.handle('placeOrder', { account: 'Sim101', orderType: 'Limit', timeInForce: 'Day', quantity: 1, ...p }, c.clock.now());
      sim.publish(r.events);
      assert.ok(r.ok);
      return (r.result as { order: { orderId: string } }).order.orderId;
    };
    const es = sim.engine.contractFor('ES')!;
    const mine = manual({ instrument: es, action: 'Buy', limitPrice: 5990, name: 'Entry' });
    const sell = manual({ instrument: es, action: 'Sell', limitPrice: 6100, name: 'Manual sell' });
    const nq = manual({ instrument: sim.engine.contractFor('NQ')!, action: 'Buy', limitPrice: 100, name: 'Manual NQ' });
    await until(async () => !!c.link.mirror.orderById('Sim101', nq), 'the manual orders in the mirror');
    const [u] = await unknown();
    assert.equal(u!.found, null);
    assert.deepEqual(u!.candidates.map((x) => x.orderId), [mine], 'only a buy of the same contract that no other request claims');

    const refuse = async (orderId: string, code: string, re: RegExp) => {
      const r = await resolve({ clientId, clientOrderId: 'lost-2', resolution: 'placed', orderId });
      assert.equal(r.status, 409, orderId);
      const b = (await r.json()) as { error: string; message: string };
      assert.equal(b.error, code);
      assert.match(b.message, re);
    };
    await refuse(sell, 'order_mismatch', /buy side/);
    await refuse(nq, 'order_mismatch', /in ES/);
    await refuse(other.s.orders[0].orderId, 'order_mismatch', /not another request's order/);
    await refuse('ORD-999', 'unknown_order', /no order ORD-999 on Sim101/);
    const noName = await resolve({ clientId, clientOrderId: 'lost-2', resolution: 'placed' });
    assert.equal(noName.status, 409);
    assert.equal(((await noName.json()) as { error: string }).error, 'no_order_named');
    assert.equal((await unknown()).length, 1, 'every refusal left it unknown');

    const r = await resolve({ clientId, clientOrderId: 'lost-2', resolution: 'placed', orderId: mine });
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as ResolveUnknownResult).orderId, mine);
    const retry = await call(conn, 'place_order', limitBuy('lost-2'));
    assert.equal(retry.s.duplicate, true);
    assert.equal(retry.s.orders[0].orderId, mine);
    assert.equal(nt8Orders('lost-2').length, 0, 'nothing was sent');
    assert.match(retry.text, /identified the order/);

    // One NT8 order cannot stand for two requests: once settled as "lost-2" it is no candidate for another.
    await lose('lost-2b', 'lost');
    const [u2] = await unknown();
    assert.equal(u2!.clientOrderId, 'lost-2b');
    assert.ok(!u2!.candidates.some((x) => x.orderId === mine), JSON.stringify(u2!.candidates));
    const r2 = await resolve({ clientId, clientOrderId: 'lost-2b', resolution: 'placed', orderId: mine });
    assert.equal(r2.status, 409);
    assert.equal(((await r2.json()) as { error: string }).error, 'order_mismatch');
  } finally {
    await done();
  }
});

test('no client can resolve it: no MCP tool does, an MCP token is not a control credential, and bad answers are 400', async () => {
  const { c, conn, done, lose, unknown, resolve, clientId } = await setup();
  try {
    await lose('lost-3', 'lost');
    const tools = (await conn.client.listTools()).tools.map((t) => t.name);
    assert.ok(tools.includes('place_order'), 'a trade grant');
    assert.deepEqual(tools.filter((n) => /resolv|unknown/i.test(n)), [], 'no tool resolves an unknown outcome');
    const made = await conn.client.callTool({ name: 'resolve_unknown_order', arguments: { clientOrderId: 'lost-3', resolution: 'not_placed' } }).catch((e: Error) => ({ isError: true, content: [{ type: 'text', text: e.message }] }));
    assert.equal(made.isError, true);
    // The client's own retries and reads do not resolve it.
    assert.equal((await call(conn, 'place_order', limitBuy('lost-3'))).code, 'outcome_unknown');
    await call(conn, 'get_order', { account: 'Sim101', clientOrderId: 'lost-3' });

    // The client's access token at the control API: 401, whatever it asks.
    const token = conn.provider.saved!.access_token;
    for (const r of [
      await c.control('/unknown-orders/resolve', { body: { clientId, clientOrderId: 'lost-3', resolution: 'not_placed' }, token }),
      await c.control('/unknown-orders', { token }),
      await c.control('/unknown-orders/resolve', { body: { clientId, clientOrderId: 'lost-3', resolution: 'not_placed' }, token: null }),
    ]) {
      assert.equal(r.status, 401);
    }
    // The session of the MCP endpoint is no way in either.
    const init = await mcpPost(c.origin, token, INIT);
    assert.equal(init.status, 200);

    for (const bad of [
      {},
      { clientId, clientOrderId: 'lost-3' },
      { clientId, clientOrderId: 'lost-3', resolution: 'maybe' },
      { clientId, clientOrderId: 'lost-3', resolution: 'not_placed', orderId: 'ORD-1' },
      { clientId, clientOrderId: 'lost 3', resolution: 'not_placed' },
      { clientId: 'x'.repeat(2000), clientOrderId: 'lost-3', resolution: 'not_placed' },
      { clientId, clientOrderId: 'lost-3', resolution: 'placed', orderId: '' },
      { clientId, clientOrderId: 'lost-3', resolution: 'not_placed', extra: true },
    ]) {
      const r = await resolve(bad);
      assert.equal(r.status, 400, JSON.stringify(bad));
      assert.match(((await r.json()) as { message: string }).message, /^Invalid resolution/);
    }
    const notJson = await fetch(`${c.controlUrl}/unknown-orders/resolve`, { method: 'POST', headers: { Authorization: `Bearer ${c.controlToken}`, 'Content-Type': 'text/plain' }, body: 'resolution=not_placed' });
    assert.equal(notJson.status, 415);
    const unknownClient = await resolve({ clientId: 'cli_nobody', clientOrderId: 'lost-3', resolution: 'not_placed' });
    assert.equal(unknownClient.status, 404);
    assert.equal((await unknown()).length, 1, 'still unknown after all of that');
    const audit = await c.controlJson<AuditPage>('/audit?limit=1000');
    assert.ok(!audit.rows.some((x) => x.event === 'order.resolved'), 'nothing was resolved');
  } finally {
    await done();
  }
});

test('with NinjaTrader disconnected the person is told to connect it first (its order list cannot be checked)', async () => {
  const { c, done, sim, lose, unknown, resolve, clientId } = await setup();
  try {
    await lose('lost-4', 'lost');
    assert.equal((await unknown()).length, 1);
    await sim.close();
    await until(async () => c.link.state().status !== 'connected', 'the link down');
    for (const resolution of ['not_placed', 'placed']) {
      const r = await resolve({ clientId, clientOrderId: 'lost-4', resolution });
      assert.equal(r.status, 409);
      const b = (await r.json()) as { error: string; message: string };
      assert.equal(b.error, 'addon_disconnected');
      assert.match(b.message, /not connected/);
    }
    assert.equal((await unknown()).length, 1);
  } finally {
    await done();
  }
});
