// Acceptance (NinjaTrader issue): an SDK client authorized with mcp:trade on Sim101 only sees
// Sim101 and not Sim102; places a limit order that waits for confirmation, is approved through the
// control API, works, fills when the simulated market crosses; position, executions, journal and
// watermarks reflect it; flatten closes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { approveNext, startTestCompanion } from '../helpers/companion.ts';
import { connectWithOAuth, HeadlessProvider } from '../helpers/sdk-client.ts';
import { call, until } from '../helpers/tools.ts';

test('trade on Sim101 only: confirm → working → fill → position, executions, journal, watermarks → flatten', async () => {
  const c = await startTestCompanion();
  try {
    const conn = await connectWithOAuth(
      c.mcpUrl,
      (id) => approveNext(c, { scope: 'mcp:read mcp:trade', accounts: ['Sim101'] }, id).then(() => {}),
      new HeadlessProvider('http://127.0.0.1:9000/cb', 'Claude Code'),
    );

    // Isolation: Sim101 only.
    const accts = await call(conn, 'list_accounts');
    assert.deepEqual(accts.s.accounts.map((a: { name: string }) => a.name), ['Sim101']);
    assert.equal(accts.s.simulated, true);
    assert.match(accts.text, /SIMULATED/);
    const other = await call(conn, 'get_account_summary', { account: 'Sim102' });
    assert.equal(other.isError, true);
    assert.equal(other.code, 'account_not_allowed');
    assert.match(other.text, /Allowed account: Sim101/);
    assert.equal((await call(conn, 'list_positions', { account: 'Sim102' })).isError, true);

    // Put the market somewhere known, then bid below it.
    c.simulator!.setQuote('ES', 6000);
    const q = await until(async () => {
      const r = await call(conn, 'get_quote', { instrument: 'ES' });
      return r.s?.quote?.last === 6000 && r;
    }, 'quote 6000');
    const contract: string = q.s.quote.instrument;
    assert.match(contract, /^ES \d{2}-\d{2}$/);

    const pending = call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 2, orderType: 'LIMIT', limitPrice: 5998, clientOrderId: 'e2e-1' });
    const conf = await c.waitForConfirmation();
    assert.equal(conf.account, 'Sim101');
    assert.equal(conf.instrument, contract);
    assert.equal(conf.side, 'Buy');
    assert.equal(conf.quantity, 2);
    assert.equal(conf.orderType, 'Limit');
    assert.equal(conf.limitPrice, 5998);
    assert.equal(conf.clientName, 'Claude Code');
    assert.equal(conf.simulated, true);
    assert.equal(c.simulator!.engine.orders('Sim101').length, 0, 'nothing is sent before the person approves');
    await c.controlJson(`/confirmations/${conf.id}/approve`, { method: 'POST' });
    const placed = await pending;
    assert.equal(placed.isError, false, placed.text);
    assert.equal(placed.s.orders[0].state, 'Working');
    assert.equal(placed.s.orders[0].name, 'e2e-1');
    const orderId: string = placed.s.orders[0].orderId;

    const working = await call(conn, 'list_orders', { account: 'Sim101' });
    assert.deepEqual(working.s.orders.map((o: { orderId: string }) => o.orderId), [orderId]);

    // The market trades down through the limit: the order fills at 5998.
    c.simulator!.setQuote('ES', 5997.75);
    const pos = await until(async () => {
      const r = await call(conn, 'list_positions', {});
      return r.s.positions.length === 1 && r;
    }, 'a position');
    assert.equal(pos.s.positions[0].marketPosition, 'Long');
    assert.equal(pos.s.positions[0].quantity, 2);
    assert.equal(pos.s.positions[0].averagePrice, 5998);
    const fills = await call(conn, 'list_executions', { orderId });
    assert.equal(fills.s.executions.reduce((n: number, e: { quantity: number }) => n + e.quantity, 0), 2);
    assert.ok(fills.s.executions.every((e: { price: number }) => e.price === 5998));
    const got = await call(conn, 'get_order', { account: 'Sim101', clientOrderId: 'e2e-1' });
    assert.equal(got.s.order.state, 'Filled');

    // Up 4 points: unrealized = 4 × $50 × 2 = $400; watermarks record the high.
    c.simulator!.setQuote('ES', 6002);
    await until(async () => (await call(conn, 'list_positions', {})).s.positions[0]?.unrealizedPnL === 400, 'unrealized $400');
    const wm = await call(conn, 'get_watermarks', {});
    assert.equal(wm.s.watermarks.length, 1, 'Sim101 only');
    assert.equal(wm.s.watermarks[0].account, 'Sim101');
    assert.ok(wm.s.watermarks[0].unrealizedHigh >= 400, JSON.stringify(wm.s));
    assert.ok(wm.s.watermarks[0].pnlHigh > 0);

    // Flatten (confirmed too): the position closes at the bid, 6002.
    const flat = call(conn, 'flatten_position', { account: 'Sim101', instrument: 'ES' });
    const conf2 = await c.waitForConfirmation();
    assert.match(conf2.summary, /Flatten ES \d{2}-\d{2} on Sim101/);
    await c.controlJson(`/confirmations/${conf2.id}/approve`, { method: 'POST' });
    assert.equal((await flat).isError, false);
    await until(async () => (await call(conn, 'list_positions', {})).s.positions.length === 0, 'flat');

    // Journal: one round trip, Long 2, 5998 → 6002, +$400 gross less commissions.
    const j = await until(async () => {
      const r = await call(conn, 'get_journal', {});
      return r.s.trades.length > 0 && r;
    }, 'journal');
    const trade = j.s.trades[0];
    assert.equal(trade.account, 'Sim101');
    assert.equal(trade.side, 'Long');
    assert.equal(trade.quantity, 2);
    assert.equal(trade.entryPrice, 5998);
    assert.equal(trade.exitPrice, 6002);
    assert.equal(trade.pnl, Math.round((400 - trade.commission) * 100) / 100);
    assert.ok(trade.commission > 0);
    assert.equal(trade.simulated, true);
    const wm2 = await call(conn, 'get_watermarks', {});
    assert.ok(Math.abs(wm2.s.watermarks[0].pnl - (400 - trade.commission)) < 0.01, JSON.stringify(wm2.s.watermarks[0]));

    // The audit trail has the confirmation decisions and the durable submit rows.
    const audit = await c.controlJson<{ rows: { event: string; tool: string | null }[] }>('/audit?limit=200');
    const events = audit.rows.map((r) => r.event);
    for (const e of ['trade.confirmation', 'trade.submit', 'trade.result']) assert.ok(events.includes(e), e);
    // Add-on activity was recorded.
    const act = await call(conn, 'get_activity_log', { limit: 100 });
    assert.ok(act.s.activity.some((a: { kind: string }) => a.kind === 'connect'), JSON.stringify(act.s.activity.slice(0, 5)));
    await conn.close();
  } finally {
    await c.cleanup();
  }
});
