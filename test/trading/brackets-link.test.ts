// Brackets and ATM templates reach only an add-on that advertised them ("brackets", "atm" in its
// hello.capabilities); any other add-on gets nothing, and the caller a sentence saying why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddonRequestError } from '../../src/ninjatrader/link.ts';
import { HELLO, rawClient, rig, until } from '../ninjatrader/helpers.ts';
import { presentOrder, wireName } from '../../src/trading/order-names.ts';

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
