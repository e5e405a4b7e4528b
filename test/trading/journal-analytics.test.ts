// Journal analytics through get_journal as AI clients see it (issue 11 item 5): a real companion,
// real SQLite, the MCP SDK client (tools listed first, so every result is checked against the
// outputSchema), and a fake NT8 add-on over a real WebSocket that scripts the fills and the price
// path. The companion's clock is a manual one; every time in the journal comes from the fills.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approveNext, startTestCompanion, type TestCompanion } from '../helpers/companion.ts';
import { connectWithOAuth, HeadlessProvider, type ConnectedClient } from '../helpers/sdk-client.ts';
import { call, until } from '../helpers/tools.ts';
import { manualClock } from '../../src/clock.ts';
import { T0 } from '../ninjatrader/helpers.ts';
import { fakeNt8, type FakeNt8 } from '../ninjatrader/fake-nt8.ts';

const ES = 'ES 12-26';
const account = { name: 'Acct1', connection: 'Rithmic', connectionStatus: 'Connected', priceStatus: 'Connected', provider: 'Rithmic', simulated: false, currency: 'USD', items: { cashValue: 1e5, buyingPower: 1e5, netLiquidation: 1e5, realizedPnL: 0, unrealizedPnL: 0 } };
const quoteAt = (last: number, time = new Date(T0).toISOString()) => ({ instrument: ES, bid: last - 0.25, ask: last, last, volume: 1, time });

interface Fill { id: string; action: 'Buy' | 'Sell'; qty: number; price: number; time: string; orderName: string | null }
const execution = (f: Fill) => ({
  executionId: f.id, orderId: f.orderName ? `O-${f.id}` : null, orderName: f.orderName, account: 'Acct1', instrument: ES, action: f.action,
  quantity: f.qty, price: f.price, time: f.time, commission: 2 * f.qty, isEntry: false, isExit: false,
});

/** A companion on a data dir, a fake add-on that accepts every order under the name it was sent, and a way to script fills and quotes. */
async function companionWith(dataDir: string, executions: unknown[] = []) {
  const c: TestCompanion = await startTestCompanion({ link: 'addon', pairingFile: join(dataDir, 'pairing.json'), dataDir, clock: manualClock(T0) });
  const placed: string[] = [];
  const addon: FakeNt8 = fakeNt8(`${c.origin.replace('http', 'ws')}/addon`, c.pairingSecret, { accounts: [account], quotes: [quoteAt(6000)], executions }, (method, params) => {
    if (method !== 'placeOrder') return undefined;
    placed.push(String(params.name));
    const time = new Date(T0).toISOString();
    return { ok: true, result: { order: { orderId: `N${placed.length}`, name: params.name, account: 'Acct1', instrument: ES, action: params.action, orderType: 'Market', timeInForce: 'Day', quantity: params.quantity, filled: 0, averageFillPrice: 0, limitPrice: null, stopPrice: null, ocoId: null, state: 'Accepted', time } } };
  });
  await until(async () => c.link.mirror.accounts().length === 1, 'the snapshot');
  const client = (name: string): Promise<ConnectedClient> =>
    connectWithOAuth(c.mcpUrl, (id) => approveNext(c, { scope: 'mcp:read mcp:trade', accounts: ['Acct1'], confirmPolicy: 'never', limits: { maxOrderQuantity: 5, maxPositionPerInstrument: 10, maxOrdersPerMinute: 60 } }, id).then(() => {}), new HeadlessProvider('http://127.0.0.1:9000/cb', name));
  /** The client places a market order; the add-on's name for it (mcp:<tag>:<clientOrderId>) is returned. */
  const order = async (conn: ConnectedClient, action: 'BUY' | 'SELL', quantity: number, clientOrderId: string) => {
    const r = await call(conn, 'place_order', { account: 'Acct1', instrument: 'ES', action, quantity, clientOrderId });
    assert.equal(r.isError, false, r.text);
    return placed.at(-1)!;
  };
  const fill = (f: Fill) => addon.event({ kind: 'execution', execution: execution(f) });
  const path = (...lasts: number[]) => {
    for (const last of lasts) addon.event({ kind: 'quote', quote: quoteAt(last) });
  };
  return { c, addon, client, order, fill, path };
}

const journal = async (conn: ConnectedClient, count: number) =>
  until(async () => {
    const r = await call(conn, 'get_journal', {});
    assert.equal(r.isError, false, r.text);
    return r.s.trades.length >= count && r;
  }, `${count} round trip(s) in the journal`);

test('MFE/MAE in ticks and dollars, holding time, per-client and per-ATM breakdown, New York hour and weekday buckets', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-journal-'));
  const h = await companionWith(dir);
  const alice = await h.client('Alice');
  const bob = await h.client('Bob');
  try {
    // Alice: long 2 at 6000 on Tuesday 2026-11-24 09:35 New York (14:35 UTC; EST, no DST change near).
    const entry = await h.order(alice, 'BUY', 2, 'a-in');
    assert.match(entry, /^mcp:[0-9a-f]{12}:a-in$/);
    h.fill({ id: 'X1', action: 'Buy', qty: 2, price: 6000, time: '2026-11-24T14:35:00Z', orderName: entry });
    // The price goes up 10 ticks, then down to 4 ticks under the entry, then back: out at 6000.50 after 90 s.
    h.path(6000.5, 6001.75, 6002.5, 6001, 6000, 5999.25, 5999, 5999.75, 6000.5);
    const exit = await h.order(alice, 'SELL', 2, 'a-out');
    h.fill({ id: 'X2', action: 'Sell', qty: 2, price: 6000.5, time: '2026-11-24T14:36:30Z', orderName: exit });

    // Bob, on the same account: short 1 at 6001 at 22:10 New York on that Tuesday, which is already
    // Wednesday 03:10 in UTC; the market runs 9 ticks against him; he covers at 6003 two minutes later.
    const short = await h.order(bob, 'SELL', 1, 'b-in');
    h.fill({ id: 'X3', action: 'Sell', qty: 1, price: 6001, time: '2026-11-25T03:10:00Z', orderName: short });
    h.path(6001.5, 6003.25, 6002.75);
    const cover = await h.order(bob, 'BUY', 1, 'b-out');
    h.fill({ id: 'X4', action: 'Buy', qty: 1, price: 6003, time: '2026-11-25T03:12:00Z', orderName: cover });

    // A fill of an order not placed through MCP (NT8's own name), Friday 15:00 New York: long 1 at 6000, out at 6001.
    h.fill({ id: 'X5', action: 'Buy', qty: 1, price: 6000, time: '2026-11-27T20:00:00Z', orderName: 'Entry' });
    h.fill({ id: 'X6', action: 'Sell', qty: 1, price: 6001, time: '2026-11-27T20:05:00Z', orderName: null });

    const a = await journal(alice, 3);
    const [manual, b, al] = a.s.trades; // newest first
    assert.equal(al.side, 'Long');
    assert.equal(al.quantity, 2);
    assert.equal(al.high, 6002.5);
    assert.equal(al.low, 5999);
    assert.equal(al.mfeTicks, 10);
    assert.equal(al.maeTicks, 4);
    assert.equal(al.mfe, 250, '10 ticks × $12.50 × 2 contracts');
    assert.equal(al.mae, 100, '4 ticks × $12.50 × 2 contracts');
    assert.equal(al.durationSeconds, 90);
    assert.equal(al.pnl, 50 - 8, '2 ticks × $12.50 × 2, less $2 a contract each way');
    assert.equal(al.client, 'you');
    assert.equal(al.atm, 'none');
    assert.match(a.text, /MFE 10t \$250\.00 \/ MAE 4t \$100\.00/);

    // Short: favourable is down (it never went below the entry), adverse up.
    assert.equal(b.side, 'Short');
    assert.equal(b.mfeTicks, 0);
    assert.equal(b.maeTicks, 9);
    assert.equal(b.mae, 112.5);
    assert.equal(b.durationSeconds, 120);
    assert.equal(b.pnl, -100 - 4);
    assert.equal(b.client, 'another MCP client', "Alice sees that another client opened it, never who");
    assert.equal(manual.client, 'not placed through MCP');
    assert.equal(manual.durationSeconds, 300);
    assert.ok(!JSON.stringify(a.s).includes(short.split(':')[1]!), "Bob's client tag never reaches Alice");

    // Per client, as Alice sees it.
    const byClient = Object.fromEntries(a.s.byClient.map((x: { client: string }) => [x.client, x]));
    assert.deepEqual(byClient.you, { client: 'you', count: 1, wins: 1, losses: 0, winRate: 1, netPnl: 42, avgPnl: 42 });
    assert.deepEqual(byClient['another MCP client'], { client: 'another MCP client', count: 1, wins: 0, losses: 1, winRate: 0, netPnl: -104, avgPnl: -104 });
    assert.equal(byClient['not placed through MCP'].count, 1);
    assert.deepEqual(a.s.byAtm.map((x: { atm: string; count: number }) => [x.atm, x.count]), [['none', 3]]);

    // Hours and weekdays of the entry in New York time: 09 and 22 on Tuesday (Bob's UTC Wednesday
    // is a New York Tuesday), 15 on Friday.
    assert.equal(a.s.timeZone, 'America/New_York');
    assert.deepEqual(a.s.byHour.map((x: { hour: number; count: number; netPnl: number }) => [x.hour, x.count, x.netPnl]), [[9, 1, 42], [15, 1, 46], [22, 1, -104]]);
    assert.deepEqual(a.s.byDayOfWeek.map((x: { day: string; count: number; winRate: number; netPnl: number; avgPnl: number }) => [x.day, x.count, x.winRate, x.netPnl, x.avgPnl]), [['Tuesday', 2, 0.5, -62, -31], ['Friday', 1, 1, 46, 46]]);

    // Overall.
    assert.equal(a.s.totalPnl, 42 - 104 + 46);
    assert.equal(a.s.summary.count, 3);
    assert.equal(a.s.summary.winRate, 0.667);
    assert.equal(a.s.summary.avgHoldingSeconds, Math.round((90 + 120 + 300) / 3));
    assert.equal(a.s.summary.mfeMaeKnown, 3);
    assert.match(a.text, /By weekday \(New York\): Tuesday: 2 \(50% won, -\$62\.00\); Friday: 1 \(100% won, \$46\.00\)/);

    // Bob sees the same round trips, attributed from his side.
    const bv = await journal(bob, 3);
    assert.deepEqual(bv.s.trades.map((t: { client: string }) => t.client), ['not placed through MCP', 'you', 'another MCP client']);
  } finally {
    await alice.close().catch(() => {});
    await bob.close().catch(() => {});
    h.addon.close();
    await h.c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a round trip open across a restart keeps its entry and attribution; its MFE/MAE are null, never a guess', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-journal-restart-'));
  try {
    const first = await companionWith(dir);
    const alice = await first.client('Alice');
    const entry = await first.order(alice, 'BUY', 1, 'open-1');
    const opened = { id: 'R1', action: 'Buy' as const, qty: 1, price: 6000, time: '2026-11-24T15:00:00Z', orderName: entry };
    first.fill(opened);
    first.path(6001, 6004); // seen by the first run only
    await until(async () => first.c.link.mirror.quote(ES)?.last === 6004, 'the last quote');
    await alice.close();
    first.addon.close();
    await first.c.stop();

    // The companion starts again on the same data; NinjaTrader's snapshot repeats today's fill.
    const second = await companionWith(dir, [execution(opened)]);
    try {
      const reader = await second.client('Reader');
      second.path(5998, 6002); // while the companion was down the price may have gone anywhere
      second.fill({ id: 'R2', action: 'Sell', qty: 1, price: 6001, time: '2026-11-24T15:20:00Z', orderName: 'Close position' });
      // And a round trip opened after the restart is watched from its first fill.
      second.fill({ id: 'R3', action: 'Sell', qty: 1, price: 6002, time: '2026-11-24T15:30:00Z', orderName: null });
      second.path(6000, 6003);
      second.fill({ id: 'R4', action: 'Buy', qty: 1, price: 6001, time: '2026-11-24T15:31:00Z', orderName: null });

      const r = await journal(reader, 2);
      const [after, across] = r.s.trades;
      assert.equal(across.entryPrice, 6000);
      assert.equal(across.entryTime, '2026-11-24T15:00:00.000Z');
      assert.equal(across.durationSeconds, 1200);
      assert.equal(across.pnl, 50 - 4);
      for (const k of ['high', 'low', 'mfeTicks', 'maeTicks', 'mfe', 'mae']) assert.equal(across[k], null, k);
      assert.equal(across.client, 'another MCP client', 'still attributed to the client whose order opened it (Alice, in the first run)');
      assert.match(r.text, /MFE\/MAE unknown/);
      assert.equal(r.s.trades.length, 2, 'the repeated fill was not booked twice');

      assert.equal(after.side, 'Short');
      assert.equal(after.mfeTicks, 8, 'from 6002 down to 6000');
      assert.equal(after.maeTicks, 4, 'from 6002 up to 6003');
      assert.equal(r.s.summary.mfeMaeKnown, 1);
      assert.equal(r.s.summary.avgMfeTicks, 8);
      await reader.close();
    } finally {
      second.addon.close();
      await second.c.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
