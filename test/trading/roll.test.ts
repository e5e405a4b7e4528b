// Time as a trader meets it, through the MCP SDK client (tools/list first, as hosts do): a
// companion left running across a quarterly roll moves `ES` to the new front month and keeps the
// old month tradable; flatten_position with a root closes every month held; a closed market is
// said plainly with when it reopens. The clock is pinned, so these pass on any date.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualClock } from '../../src/clock.ts';
import { approveNext, startTestCompanion, type TestCompanion } from '../helpers/companion.ts';
import { connectWithOAuth, HeadlessProvider, type ConnectedClient } from '../helpers/sdk-client.ts';
import { call, until } from '../helpers/tools.ts';

async function trader(c: TestCompanion): Promise<ConnectedClient> {
  const conn = await connectWithOAuth(
    c.mcpUrl,
    (id) => approveNext(c, { scope: 'mcp:read mcp:trade', accounts: ['Sim101'], confirmPolicy: 'never' }, id).then(() => {}),
    new HeadlessProvider('http://127.0.0.1:9000/cb', 'Roll Tester', 'mcp:read mcp:trade'),
  );
  await conn.client.listTools(); // as every host does: the SDK then validates results against outputSchema
  return conn;
}

const positions = async (conn: ConnectedClient) =>
  ((await call(conn, 'list_positions', { account: 'Sim101' })).s.positions as { instrument: string; quantity: number }[])
    .map((p) => `${p.instrument} ${p.quantity}`)
    .sort();

test('a companion left running across the ES roll quotes and trades the new month; flatten ES closes both months', async () => {
  // Wednesday 9 Dec 2026, 10:00 New York: the day before NT8's ES rollover (Thu 10 Dec).
  const clock = manualClock(Date.parse('2026-12-09T15:00:00Z'));
  const c = await startTestCompanion({ clock, simHours: 'cme' });
  const conn = await trader(c);
  try {
    const before = await call(conn, 'get_quote', { instrument: 'ES' });
    assert.equal(before.isError, false, before.text);
    assert.equal(before.s.quote.instrument, 'ES 12-26');
    assert.equal(before.s.marketOpen, true);
    const old = await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 2, clientOrderId: 'old-month' });
    assert.equal(old.isError, false, old.text);
    assert.equal(old.s.orders[0].instrument, 'ES 12-26');
    assert.equal(old.s.orders[0].state, 'Filled');

    // A day later: the roll has happened while the companion kept running.
    clock.set(Date.parse('2026-12-10T15:00:00Z'));
    c.simulator!.tick(); // the simulator's next quote step (tests stream quotes by hand)
    const after = await until(async () => {
      const r = await call(conn, 'get_quote', { instrument: 'ES' });
      return r.s?.quote?.instrument === 'ES 03-27' && r;
    }, 'ES to quote the March contract');
    assert.equal(after.isError, false);
    const oldQuote = await call(conn, 'get_quote', { instrument: 'ES 12-26' });
    assert.equal(oldQuote.isError, false, 'the old month is still quoted in roll week');

    const fresh = await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, clientOrderId: 'new-month' });
    assert.equal(fresh.isError, false, fresh.text);
    assert.equal(fresh.s.orders[0].instrument, 'ES 03-27');
    assert.equal(fresh.s.orders[0].state, 'Filled');
    await until(async () => (await positions(conn)).length === 2 || undefined, 'both positions mirrored');
    assert.deepEqual(await positions(conn), ['ES 03-27 1', 'ES 12-26 2']);

    const flat = await call(conn, 'flatten_position', { account: 'Sim101', instrument: 'ES' });
    assert.equal(flat.isError, false, flat.text);
    assert.deepEqual(flat.s.orders.map((o: { instrument: string; quantity: number }) => `${o.instrument} ${o.quantity}`).sort(), ['ES 03-27 1', 'ES 12-26 2']);
    assert.match(flat.text, /ES 03-27 and ES 12-26/);
    await until(async () => (await positions(conn)).length === 0 || undefined, 'flat in both months');
  } finally {
    await conn.close();
    await c.cleanup();
  }
});

test('flatten_position with a contract closes only that month', async () => {
  const clock = manualClock(Date.parse('2026-12-10T15:00:00Z')); // roll week
  const c = await startTestCompanion({ clock, simHours: 'cme' });
  const conn = await trader(c);
  try {
    for (const [instrument, id] of [['ES 12-26', 'a'], ['ES', 'b']] as const) {
      const r = await call(conn, 'place_order', { account: 'Sim101', instrument, action: 'SELL', quantity: 1, clientOrderId: id });
      assert.equal(r.isError, false, r.text);
    }
    await until(async () => (await positions(conn)).length === 2 || undefined, 'two months held');
    const flat = await call(conn, 'flatten_position', { account: 'Sim101', instrument: 'ES 12-26' });
    assert.equal(flat.isError, false, flat.text);
    await until(async () => (await positions(conn)).join() === 'ES 03-27 1' || undefined, 'only March left');
  } finally {
    await conn.close();
    await c.cleanup();
  }
});

test('roll week: the net position limit counts every month of a root as one exposure', async () => {
  const clock = manualClock(Date.parse('2026-12-10T15:00:00Z')); // roll week: ES 12-26 and ES 03-27 both trade
  const c = await startTestCompanion({ clock, simHours: 'cme' });
  const conn = await connectWithOAuth(
    c.mcpUrl,
    (id) => approveNext(c, { scope: 'mcp:read mcp:trade', accounts: ['Sim101'], confirmPolicy: 'never', limits: { maxPositionPerInstrument: 3 } }, id).then(() => {}),
    new HeadlessProvider('http://127.0.0.1:9000/cb', 'Roll Limit Tester', 'mcp:read mcp:trade'),
  );
  try {
    const dec = await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES 12-26', action: 'BUY', quantity: 3, clientOrderId: 'dec-3' });
    assert.equal(dec.isError, false, dec.text);
    await until(async () => (await positions(conn)).join() === 'ES 12-26 3' || undefined, 'long 3 December');
    // The root now means March; 3 December + 1 March is 4 ES against a maximum of 3.
    const mar = await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, clientOrderId: 'mar-1' });
    assert.equal(mar.isError, true, mar.text);
    assert.equal(mar.code, 'limit_max_position');
    assert.match(mar.text, /could take the ES position on Sim101 \(all contract months\) from 3 to 4/);
    // Reducing through the other month (a calendar spread) lowers the net exposure and is allowed.
    const spread = await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES 03-27', action: 'SELL', quantity: 1, clientOrderId: 'mar-s1' });
    assert.equal(spread.isError, false, spread.text);
    assert.deepEqual(c.simulator!.engine.positions('Sim101').map((p) => p.instrument).sort(), ['ES 03-27', 'ES 12-26']);
  } finally {
    await conn.close();
    await c.cleanup();
  }
});

test('a closed market: market orders are refused with when it reopens; a limit order rests until then', async () => {
  const clock = manualClock(Date.parse('2026-11-28T15:00:00Z')); // Saturday after Thanksgiving
  const c = await startTestCompanion({ clock, simHours: 'cme' });
  const conn = await trader(c);
  try {
    // The refusal as an SDK host reads it, after tools/list: isError, the code, the sentence.
    const mkt = await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, clientOrderId: 'sat-mkt' });
    assert.equal(mkt.isError, true);
    assert.equal(mkt.code, 'market_closed');
    assert.match(mkt.text, /^\[market_closed\] NinjaTrader rejected it: CME Globex is closed for the weekend; ES reopens Sun 2026-11-29 18:00 ET/);
    assert.equal(c.simulator!.engine.positions('Sim101').length, 0);
    // get_status says it too, for every root, before the model tries anything.
    const st = await call(conn, 'get_status');
    assert.equal(st.s.market.hours, 'cme');
    assert.deepEqual(st.s.market.open, []);
    assert.equal(st.s.market.closed.find((x: { root: string }) => x.root === 'ES').note, 'CME Globex is closed for the weekend; ES reopens Sun 2026-11-29 18:00 ET.');
    assert.match(st.text, /Market: CME Globex is closed for the weekend; ES reopens/);
    const q = await call(conn, 'get_quote', { instrument: 'ES' });
    assert.equal(q.s.marketOpen, false);
    assert.equal(q.s.marketNote, 'CME Globex is closed for the weekend; ES reopens Sun 2026-11-29 18:00 ET.');
    assert.match(q.text, /closed for the weekend; ES reopens/);
    const lim = await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, orderType: 'LIMIT', limitPrice: q.s.quote.ask, clientOrderId: 'sat-lim' });
    assert.equal(lim.isError, false, lim.text);
    assert.equal(lim.s.orders[0].state, 'Working', 'a marketable limit rests while the market is closed');
    // Sunday 18:00 New York: the market opens; the first quote below the limit fills it.
    clock.set(Date.parse('2026-11-29T23:00:00Z'));
    c.simulator!.setQuote('ES', q.s.quote.bid - 1);
    await until(async () => (await positions(conn)).length === 1 || undefined, 'the limit filled at the open');
  } finally {
    await conn.close();
    await c.cleanup();
  }
});
