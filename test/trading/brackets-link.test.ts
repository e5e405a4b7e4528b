// Brackets and ATM templates reach only an add-on that advertised them ("brackets", "atm" in its
// hello.capabilities); any other add-on gets nothing, and the caller a sentence saying why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddonRequestError } from '../../src/ninjatrader/link.ts';
import { HELLO, rawClient, rig, until } from '../ninjatrader/helpers.ts';
import { presentOrder, wireName } from '../../src/trading/order-names.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approveNext, startTestCompanion, type TestCompanion } from '../helpers/companion.ts';
import { connectWithOAuth, HeadlessProvider, type ConnectedClient } from '../helpers/sdk-client.ts';
import { call, until as untilAsync } from '../helpers/tools.ts';
import { offsetClock } from '../../src/clock.ts';
import { T0 } from '../ninjatrader/helpers.ts';
import { fakeNt8, type FakeNt8 } from '../ninjatrader/fake-nt8.ts';

const ACCOUNT = { name: 'Apex-1', connection: 'Rithmic', connectionStatus: 'Connected', provider: 'Rithmic', simulated: false, currency: 'USD', items: { cashValue: 1, buyingPower: 1, netLiquidation: 1, realizedPnL: 0, unrealizedPnL: 0 } };
const ENTRY = { account: 'Apex-1', instrument: 'ES 12-26', action: 'Buy', orderType: 'Market', quantity: 1, timeInForce: 'Day' } as const;

async function fakeAddon(url: string, hello: Record<string, unknown>) {
  const c = rawClient(url);
  await c.opened;
  c.send(hello);
  await until(() => c.messages.some((m) => m.type === 'request' && m.method === 'snapshot'), 2000, 'the snapshot request');
  const req = c.messages.find((m) => m.type === 'request' && m.method === 'snapshot')!;
  c.send({ v: 1, type: 'snapshot', id: req.id, seq: 1, accounts: [ACCOUNT], positions: [], orders: [], executions: [], quotes: [] });
  return c;
}

test('an add-on without the "brackets" / "atm" capabilities is never sent a bracket, an ATM template or listAtmTemplates', async (t) => {
  const r = await rig({ mode: 'addon' });
  t.after(() => r.close());
  const c = await fakeAddon(r.url, { ...HELLO, protocolMinor: 1, capabilities: ['orders', 'quotes', 'bars', 'oco', 'mit', 'gtd'] });
  await until(() => r.link.mirror.accounts().length === 1, 2000, 'the snapshot');
  const sentBefore = c.messages.filter((m) => m.type === 'request').length;
  const cases: [string, Promise<unknown>, RegExp][] = [
    ['bracket', r.link.request('placeOrder', { ...ENTRY, name: 'mcp:0123456789ab:a', stopLoss: { ticks: 8 }, takeProfit: { ticks: 16 } }), /does not support a bracket \(stop loss \/ take profit\) on an order \(it did not advertise "brackets"\)/],
    ['atm', r.link.request('placeOrder', { ...ENTRY, name: 'mcp:0123456789ab:b', atmTemplate: '1 Target + Stop' }), /does not support an ATM strategy template on an order \(it did not advertise "atm"\)/],
    ['templates', r.link.request('listAtmTemplates', {}), /does not support ATM strategy templates/],
  ];
  for (const [label, p, re] of cases) {
    await assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof AddonRequestError, label);
      assert.equal(e.code, 'addon_outdated', label);
      assert.match(e.message, re, label);
      assert.match(e.message, /Nothing was sent\./, label);
      return true;
    });
  }
  await new Promise((res) => setTimeout(res, 50));
  assert.equal(c.messages.filter((m) => m.type === 'request').length, sentBefore, 'nothing reached the add-on');
});

test('an add-on that advertises "brackets" receives the bracket as sent', async (t) => {
  const r = await rig({ mode: 'addon' });
  t.after(() => r.close());
  const c = await fakeAddon(r.url, { ...HELLO, protocolMinor: 1, capabilities: ['orders', 'brackets'] });
  await until(() => r.link.mirror.accounts().length === 1, 2000, 'the snapshot');
  void r.link.request('placeOrder', { ...ENTRY, name: 'mcp:0123456789ab:c', stopLoss: { price: 5990 }, takeProfit: { ticks: 16 } }).catch(() => {});
  await until(() => c.messages.some((m) => m.method === 'placeOrder'), 2000, 'the placeOrder request');
  const req = c.messages.find((m) => m.method === 'placeOrder')!;
  assert.deepEqual((req.params as Record<string, unknown>).stopLoss, { price: 5990 });
  assert.deepEqual((req.params as Record<string, unknown>).takeProfit, { ticks: 16 });
});

test('a bracket child names its entry by the caller\'s own clientOrderId, and never another client\'s', () => {
  const child = { name: 'Stop1', bracketOf: wireName('client-a', 'entry-7') };
  assert.deepEqual(presentOrder('client-a', child), { name: 'Stop1', bracketOf: 'entry-7' });
  assert.deepEqual(presentOrder('client-b', child), { name: 'Stop1', bracketOf: 'another MCP client' });
  const plain = { name: 'Close position' };
  assert.equal(presentOrder('client-a', plain), plain, 'an order of its own is passed through untouched');
});

test('through MCP, an add-on without "brackets"/"atm": preview_order says so and place_order refuses before any prompt', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-brk-'));
  let c: TestCompanion | undefined;
  let addon: FakeNt8 | undefined;
  let conn: ConnectedClient | undefined;
  try {
    c = await startTestCompanion({ link: 'addon', pairingFile: join(dir, 'pairing.json'), clock: offsetClock(T0) });
    const quote = { instrument: 'ES 12-26', bid: 6000, ask: 6000.25, last: 6000, volume: 1, time: new Date(T0).toISOString() };
    addon = fakeNt8(`${c.origin.replace('http', 'ws')}/addon`, c.pairingSecret, { accounts: [ACCOUNT], quotes: [quote] });
    const comp = c;
    await untilAsync(async () => comp.link.mirror.accounts().length === 1, 'the snapshot applied');
    conn = await connectWithOAuth(c.mcpUrl, (id) => approveNext(comp, { scope: 'mcp:read mcp:trade', accounts: ['Apex-1'] }, id).then(() => {}), new HeadlessProvider('http://127.0.0.1:9000/cb', 'Bracket Bot'));
    const order = { account: 'Apex-1', instrument: 'ES', action: 'BUY', quantity: 1, orderType: 'MARKET' };
    for (const [extra, cap] of [[{ stopLoss: { ticks: 8 } }, 'brackets'], [{ atmTemplate: '1 Target + Stop' }, 'atm']] as const) {
      const preview = await call(conn, 'preview_order', { ...order, ...extra });
      assert.equal(preview.isError, false, preview.text);
      assert.equal(preview.s.allowed, false, `preview with ${cap} is not allowed`);
      assert.equal(preview.s.refusal.code, 'addon_outdated');
      assert.match(preview.s.refusal.message, new RegExp(`did not advertise "${cap}"`));
      const placed = await call(conn, 'place_order', { ...order, ...extra, clientOrderId: `no-${cap}` });
      assert.equal(placed.isError, true);
      assert.equal(placed.code, 'addon_outdated');
      assert.doesNotMatch(placed.text, /NinjaTrader rejected/, 'the companion refused it, not NinjaTrader');
    }
    const pending = await c.controlJson<{ confirmations: unknown[] }>('/confirmations');
    assert.equal(pending.confirmations.length, 0, 'nobody was asked to approve an order that cannot be sent');
    assert.deepEqual(addon.requests.map((r) => r.method).filter((m) => m !== 'snapshot'), [], 'nothing reached the add-on');
  } finally {
    await conn?.close().catch(() => {});
    addon?.close();
    await c?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});
