// Safety with values a newer NT8 may send (protocol 1.1): a working order whose action the companion
// does not know counts toward the position limit in BOTH directions (worst case), cannot be modified
// through the companion, and a position whose side is unknown cannot be reversed. Real companion,
// real MCP SDK client, a fake NT8 add-on over a real WebSocket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approveNext, startTestCompanion, type TestCompanion } from '../helpers/companion.ts';
import { connectWithOAuth, HeadlessProvider, type ConnectedClient } from '../helpers/sdk-client.ts';
import { call, until } from '../helpers/tools.ts';
import { offsetClock } from '../../src/clock.ts';
import { T0 } from '../ninjatrader/helpers.ts';
import { fakeNt8, type FakeNt8 } from '../ninjatrader/fake-nt8.ts';

const time = new Date(T0).toISOString();
const order = (orderId: string, action: string, quantity: number) => ({ orderId, name: 'Entry', account: 'Acct1', instrument: 'ES 12-26', action, orderType: 'Limit', timeInForce: 'Day', quantity, filled: 0, averageFillPrice: 0, limitPrice: 5900, stopPrice: null, ocoId: null, state: 'Working', time });

async function setup(snapshot: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-side-'));
  const c: TestCompanion = await startTestCompanion({ link: 'addon', pairingFile: join(dir, 'pairing.json'), clock: offsetClock(T0) });
  const placed: Record<string, unknown>[] = [];
  const addon: FakeNt8 = fakeNt8(`${c.origin.replace('http', 'ws')}/addon`, c.pairingSecret, {
    accounts: [{ name: 'Acct1', connection: 'Rithmic', connectionStatus: 'Connected', priceStatus: 'Connected', provider: 'Rithmic', simulated: false, currency: 'USD', items: { cashValue: 1e5, buyingPower: 1e5, netLiquidation: 1e5, realizedPnL: 0, unrealizedPnL: 0 } }],
    quotes: [{ instrument: 'ES 12-26', bid: 6000, ask: 6000.25, last: 6000, volume: 1, time }],
    ...snapshot,
  }, (method, params) => {
    if (method !== 'placeOrder') return undefined;
    placed.push(params);
    return { ok: true, result: { order: { ...order(`N${placed.length}`, String(params.action), Number(params.quantity)), name: params.name, orderType: 'Market', limitPrice: null, state: 'Accepted' } } };
  });
  await until(async () => c.link.mirror.accounts().length === 1, 'the snapshot');
  const conn: ConnectedClient = await connectWithOAuth(c.mcpUrl, (id) => approveNext(c, { scope: 'mcp:read mcp:trade', accounts: ['Acct1'], confirmPolicy: 'never', limits: { maxOrderQuantity: 5, maxPositionPerInstrument: 10, maxOrdersPerMinute: 10 } }, id).then(() => {}), new HeadlessProvider('http://127.0.0.1:9000/cb', 'Side test'));
  return {
    c, conn, addon, placed,
    done: async () => {
      await conn.close().catch(() => {});
      addon.close();
      await c.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const place = (action: string, quantity: number, id: string) => ({ account: 'Acct1', instrument: 'ES', action, quantity, clientOrderId: id });

test('a working order with an unknown action counts toward the position limit both ways and cannot be modified', async () => {
  const s = await setup({ orders: [order('U1', 'BuyToOpen', 8)] });
  try {
    // Were it a Buy, selling 3 would be fine; were it a Sell, buying 3 would be. Unknown: neither.
    const buy = await call(s.conn, 'place_order', place('BUY', 3, 'b3'));
    assert.equal(buy.code, 'limit_max_position', buy.text);
    assert.match(buy.text, /from 8 to 11/);
    const sell = await call(s.conn, 'place_order', place('SELL', 3, 's3'));
    assert.equal(sell.code, 'limit_max_position', sell.text);
    assert.match(sell.text, /from -8 to -11/);
    assert.equal(s.placed.length, 0);
    // Within the limit either way: sent.
    const ok = await call(s.conn, 'place_order', place('SELL', 2, 's2'));
    assert.equal(ok.isError, false, ok.text);
    assert.equal(s.placed.length, 1);
    const mod = await call(s.conn, 'modify_order', { account: 'Acct1', orderId: 'U1', limitPrice: 5901 });
    assert.equal(mod.code, 'unknown_side', mod.text);
    assert.match(mod.text, /action as "BuyToOpen", which this companion does not know/);
    const listed = await call(s.conn, 'list_orders', { account: 'Acct1' });
    assert.match(listed.text, /U1 Acct1 Unknown \(NinjaTrader said "BuyToOpen"\) 8 ES 12-26 Limit 5900\.00 Day — Working/);
  } finally {
    await s.done();
  }
});

test('a position whose side NinjaTrader reports as unknown counts both ways and cannot be reversed', async () => {
  const s = await setup({ positions: [{ account: 'Acct1', instrument: 'ES 12-26', marketPosition: 'Hedged', quantity: 9, averagePrice: 6000, unrealizedPnL: 0 }] });
  try {
    const rev = await call(s.conn, 'reverse_position', { account: 'Acct1', instrument: 'ES' });
    assert.equal(rev.code, 'unknown_side', rev.text);
    assert.match(rev.text, /position on Acct1 as "Hedged"/);
    for (const action of ['BUY', 'SELL']) {
      const r = await call(s.conn, 'place_order', place(action, 2, `p-${action}`));
      assert.equal(r.code, 'limit_max_position', `${action}: ${r.text}`);
    }
    const positions = await call(s.conn, 'list_positions', {});
    assert.match(positions.text, /Acct1 ES 12-26: Unknown \(NinjaTrader said "Hedged"\) 9 @ 6000/);
    assert.equal(s.placed.length, 0);
  } finally {
    await s.done();
  }
});
