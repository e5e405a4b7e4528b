// Issue 10 acceptance (protocol fidelity): a fake NT8 add-on over a real WebSocket sends a recorded,
// NT8-shaped snapshot — a Suspended order, a EUR prop-firm account with a display name, an ATM fill
// with no order, a value from a newer NT8 (OrderState "PendingRiskCheck") and one malformed record.
// The snapshot applies whole minus the malformed record, which is reported; every tool, called
// through the real MCP SDK client, shows it honestly. Also: get_quote subscribes to an instrument
// not streamed yet, and get_bars carries the 1.1 bar requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approveNext, startTestCompanion, type TestCompanion } from '../helpers/companion.ts';
import { connectWithOAuth, HeadlessProvider, type ConnectedClient } from '../helpers/sdk-client.ts';
import { call, until } from '../helpers/tools.ts';
import { offsetClock } from '../../src/clock.ts';
import { T0 } from './helpers.ts';
import { fakeNt8, type Answer, type FakeNt8 } from './fake-nt8.ts';

const ACCT = 'APEX-41872-03';
const RITHMIC = 'Rithmic for NinjaTrader Brokerage';
const at = (min: number) => new Date(T0 - min * 60_000).toISOString();

/** What a real NT8 install with a prop-firm account on Rithmic and a Kinetick data feed sends. */
const SNAPSHOT = {
  accounts: [
    {
      name: ACCT,
      displayName: 'Apex 50K Evaluation',
      connection: RITHMIC,
      connectionStatus: 'Connected',
      priceStatus: 'Connected',
      provider: 'Rithmic',
      simulated: false,
      currency: 'EUR',
      items: {
        cashValue: 50123.5, buyingPower: 48000, netLiquidation: 50210.25, realizedPnL: 123.5, unrealizedPnL: 86.75,
        grossRealizedPnL: 130.5, commission: 7, initialMargin: 1200, maintenanceMargin: 1100, excessIntradayMargin: 47000,
        NetLiquidationByCurrency: 1, // not in the protocol: ignored
      },
    },
    {
      name: 'Sim101', connection: 'Kinetick', connectionStatus: 'Disconnected', priceStatus: 'ConnectionLost', provider: 'Simulator', simulated: true, currency: 'USD',
      items: { cashValue: 100000, buyingPower: 100000, netLiquidation: 100000, realizedPnL: 0, unrealizedPnL: 0 },
    },
  ],
  connections: [
    { connection: RITHMIC, status: 'Connected', priceStatus: 'Connected' },
    { connection: 'Kinetick', status: 'Disconnected', priceStatus: 'ConnectionLost' },
  ],
  positions: [{ account: ACCT, instrument: 'ES 12-26', marketPosition: 'Long', quantity: 1, averagePrice: 6001.25, unrealizedPnL: 86.75 }],
  orders: [
    // The ATM's stop, suspended by the broker.
    { orderId: '7f3a9c21e4b84f0c', name: 'Stop1', account: ACCT, instrument: 'ES 12-26', action: 'Sell', orderType: 'StopMarket', timeInForce: 'Gtc', gtdDate: null, quantity: 1, filled: 0, averageFillPrice: 0, limitPrice: null, stopPrice: 5980, ocoId: 'atm-oco-1', state: 'Suspended', time: at(30) },
    // A newer NT8's order state, and a good-till-date.
    { orderId: '0b1c2d3e4f5a6b7c', name: 'Entry', account: ACCT, instrument: 'ES 12-26', action: 'Buy', orderType: 'Limit', timeInForce: 'Gtd', gtdDate: '2026-11-06T22:00:00Z', quantity: 2, filled: 0, averageFillPrice: 0, limitPrice: 5990.25, stopPrice: null, ocoId: null, state: 'PendingRiskCheck', time: at(5) },
    // Malformed: a fractional quantity.
    { orderId: 'bad-1', name: '', account: ACCT, instrument: 'ES 12-26', action: 'Buy', orderType: 'Market', timeInForce: 'Day', quantity: 1.5, filled: 0, averageFillPrice: 0, limitPrice: null, stopPrice: null, ocoId: null, state: 'Working', time: at(1) },
  ],
  executions: [
    // The ATM entry's fill as NT8 reports it to an add-on that did not place it: no order.
    { executionId: 'exec-5e1f', orderId: null, orderName: null, account: ACCT, instrument: 'ES 12-26', action: 'Buy', marketPosition: 'Long', quantity: 1, price: 6001.25, time: at(30), commission: 2.1, isEntry: true, isExit: false },
  ],
  quotes: [{ instrument: 'ES 12-26', bid: 6002.75, ask: 6003, last: 6003, volume: 3, time: at(0), bidSize: 12, askSize: 9, dailyHigh: 6010.5, dailyLow: 5988.25, dailyVolume: 1234567, settlement: 5995.5 }],
};

/** The fake add-on's answers: subscribeQuotes (the first tick follows 100 ms later) and getBars. */
function answers(method: string, params: Record<string, unknown>, fake: FakeNt8): Answer | undefined {
  if (method === 'subscribeQuotes') {
    const names = params.instruments as string[];
    setTimeout(() => fake.event({ kind: 'quote', quote: { instrument: names[0], bid: 21000, ask: 21000.25, last: 21000.25, volume: 1, time: at(0), bidSize: 4, askSize: 6, dailyHigh: null, dailyLow: null, dailyVolume: 88000, settlement: null } }), 100);
    return { ok: true, result: { subscribed: names } };
  }
  if (method === 'getBars') {
    return { ok: true, result: { bars: [{ time: at(10), open: 6000, high: 6001, low: 5999.75, close: 6000.5, volume: 420 }], tradingHours: String(params.tradingHours ?? 'CME US Index Futures ETH') } };
  }
  return undefined;
}

test('a recorded NT8 snapshot applies whole (minus one reported malformed record) and every tool shows it honestly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-nt8-'));
  let c: TestCompanion | undefined;
  let addon: FakeNt8 | undefined;
  let conn: ConnectedClient | undefined;
  try {
    c = await startTestCompanion({ link: 'addon', pairingFile: join(dir, 'pairing.json'), clock: offsetClock(T0) });
    addon = fakeNt8(`${c.origin.replace('http', 'ws')}/addon`, c.pairingSecret, SNAPSHOT, answers);
    const comp = c;
    await until(async () => comp.link.mirror.accounts().length === 2, 'the snapshot applied');
    conn = await connectWithOAuth(c.mcpUrl, (id) => approveNext(comp, { scope: 'mcp:read', accounts: [ACCT] }, id).then(() => {}), new HeadlessProvider('http://127.0.0.1:9000/cb', 'NT8 fidelity'));

    // Accounts: display name, EUR (not $), both connection statuses, the extra items.
    const accounts = await call(conn, 'list_accounts');
    assert.equal(accounts.isError, false, accounts.text);
    const a = accounts.s.accounts[0];
    assert.equal(a.displayName, 'Apex 50K Evaluation');
    assert.equal(a.currency, 'EUR');
    assert.equal(a.priceStatus, 'Connected');
    assert.equal(a.items.NetLiquidationByCurrency, undefined, 'unknown items are not passed on');
    assert.match(accounts.text, /APEX-41872-03 "Apex 50K Evaluation" \(EUR\): net liq €50,210\.25, realized €123\.50, unrealized €86\.75; connection "Rithmic for NinjaTrader Brokerage": orders Connected, prices Connected/);
    assert.doesNotMatch(accounts.text, /\$/);
    const summary = await call(conn, 'get_account_summary', { account: ACCT });
    assert.match(summary.text, /initial margin €1,200\.00, maintenance margin €1,100\.00, excess intraday margin €47,000\.00/);
    assert.match(summary.text, /2 working order\(s\)/, 'the Suspended order and the one in a state this companion does not know both may still work');

    // Orders: the malformed one is absent; Suspended and the unknown state are shown as they are.
    const orders = await call(conn, 'list_orders', { account: ACCT, status: 'all' });
    assert.equal(orders.isError, false, orders.text);
    assert.deepEqual(orders.s.orders.map((o: { orderId: string }) => o.orderId).sort(), ['0b1c2d3e4f5a6b7c', '7f3a9c21e4b84f0c']);
    assert.match(orders.text, /7f3a9c21e4b84f0c APEX-41872-03 Sell 1 ES 12-26 StopMarket stop 5980\.00 Gtc — Suspended \[Stop1\]/);
    assert.match(orders.text, /0b1c2d3e4f5a6b7c APEX-41872-03 Buy 2 ES 12-26 Limit 5990\.25 Gtd until 2026-11-06T22:00:00Z — Unknown \(NinjaTrader said "PendingRiskCheck"\) \[Entry\]/);
    const one = await call(conn, 'get_order', { account: ACCT, orderId: '0b1c2d3e4f5a6b7c' });
    assert.equal(one.s.order.state, 'Unknown');
    assert.deepEqual(one.s.order.unknownValues, { state: 'PendingRiskCheck' });
    assert.equal(one.s.order.gtdDate, '2026-11-06T22:00:00Z');
    assert.match(one.text, /Unknown \(NinjaTrader said "PendingRiskCheck"\)/);

    // Executions: the ATM fill without an order.
    const execs = await call(conn, 'list_executions', { account: ACCT });
    assert.equal(execs.s.executions.length, 1);
    assert.equal(execs.s.executions[0].orderId, null);
    assert.equal(execs.s.executions[0].marketPosition, 'Long');
    assert.match(execs.text, /Buy 1 ES 12-26 @ 6001\.25, Long \(no order \(ATM or manual fill\), commission €2\.10\)/);

    // Quotes with sizes and the session's numbers.
    const quote = await call(conn, 'get_quote', { instrument: 'ES' });
    assert.match(quote.text, /bid 6002\.75 \(12\) \/ ask 6003\.00 \(9\), last 6003\.00 at .*; session high 6010\.50, low 5988\.25, volume 1234567, settlement 5995\.50/);
    assert.equal(quote.s.quote.bidSize, 12);

    // Link state: protocol 1.1 and this client's connection only (Kinetick carries no granted account).
    const status = await call(conn, 'get_status');
    assert.equal(status.s.link.protocol, '1.1');
    assert.deepEqual(status.s.link.connections, [{ name: RITHMIC, status: 'Connected', priceStatus: 'Connected', accounts: [ACCT] }]);
    assert.match(status.text, /\(add-on protocol 1\.1\)\. NinjaTrader connections: Rithmic for NinjaTrader Brokerage: orders Connected, prices Connected \(APEX-41872-03\)\./);
    // The person's dashboard sees every connection.
    const dash = c.status().link;
    assert.deepEqual(dash.connections.map((x) => [x.name, x.status, x.priceStatus, x.accounts]), [
      [RITHMIC, 'Connected', 'Connected', [ACCT]],
      ['Kinetick', 'Disconnected', 'ConnectionLost', ['Sim101']],
    ]);

    // The activity log says what was skipped and what was not understood.
    const log = await call(conn, 'get_activity_log', { limit: 50 });
    const rows = log.s.activity as { kind: string; message: string }[];
    const skipped = rows.filter((r) => r.kind === 'skipped');
    assert.equal(skipped.length, 1, log.text);
    assert.match(skipped[0]!.message, /^Snapshot: skipped order 3 of 3 \(orderId "bad-1"\): quantity: /);
    const unknown = rows.filter((r) => r.kind === 'unknown_value');
    assert.equal(unknown.length, 1, log.text);
    assert.match(unknown[0]!.message, /order state "PendingRiskCheck"/);

    // An instrument nobody streams yet: get_quote subscribes and waits for the first tick.
    const nq = await call(conn, 'get_quote', { instrument: 'NQ' });
    assert.equal(nq.isError, false, nq.text);
    assert.deepEqual(addon.requests.find((r) => r.method === 'subscribeQuotes')?.params, { instruments: ['NQ 12-26'] });
    assert.match(nq.text, /NQ 12-26: bid 21000\.00 \(4\) \/ ask 21000\.25 \(6\).*session volume 88000/);

    // Bars: the 1.1 periods, values, date ranges and trading-hours template reach NinjaTrader.
    const bars = await call(conn, 'get_bars', { instrument: 'ES', period: 'range', value: 4, from: '2026-11-02', to: '2026-11-02T14:00:00Z', tradingHours: 'CME US Index Futures RTH' });
    assert.equal(bars.isError, false, bars.text);
    assert.deepEqual(addon.requests.find((r) => r.method === 'getBars')?.params, { instrument: 'ES 12-26', period: 'range', value: 4, from: '2026-11-02T00:00:00.000Z', to: '2026-11-02T14:00:00.000Z', tradingHours: 'CME US Index Futures RTH' });
    assert.match(bars.text, /^1 4-range bar\(s\) for ES 12-26 \(CME US Index Futures RTH\)/);
    assert.equal(bars.s.tradingHours, 'CME US Index Futures RTH');
    for (const [args, re] of [
      [{ instrument: 'ES', count: 10, from: '2026-11-01' }, /either count .* or from/],
      [{ instrument: 'ES', to: '2026-11-01' }, /to needs from/],
      [{ instrument: 'ES', from: 'yesterday' }, /"yesterday" is not an ISO 8601 date/],
      [{ instrument: 'ES', from: '2026-11-02T10:00:00Z', to: '2026-11-02T09:00:00Z' }, /must be after from/],
      [{ instrument: 'ES', period: 'week' }, /./],
    ] as const) {
      const r = await call(conn, 'get_bars', args);
      assert.equal(r.isError, true, JSON.stringify(args));
      assert.equal(r.code, 'invalid_arguments', r.text);
      assert.match(r.text, re);
    }
  } finally {
    await conn?.close().catch(() => {});
    addon?.close();
    await c?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a 1.0 add-on: the 1.1 bar requests are refused as addon_outdated (nothing sent), get_quote does not subscribe, and the link shows 1.0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-nt8-'));
  let c: TestCompanion | undefined;
  let addon: FakeNt8 | undefined;
  let conn: ConnectedClient | undefined;
  try {
    c = await startTestCompanion({ link: 'addon', pairingFile: join(dir, 'pairing.json'), clock: offsetClock(T0) });
    // A 1.0 add-on: no protocolMinor, no displayName/priceStatus/connections, currency USD.
    const v10 = { ...SNAPSHOT.accounts[1]!, name: 'Sim101', currency: 'USD' } as Record<string, unknown>;
    delete v10.priceStatus;
    addon = fakeNt8(`${c.origin.replace('http', 'ws')}/addon`, c.pairingSecret, { accounts: [v10], quotes: [SNAPSHOT.quotes[0]] }, answers, { protocolMinor: undefined, addonVersion: '1.0.0', capabilities: ['orders', 'quotes', 'bars', 'oco'] });
    const comp = c;
    await until(async () => comp.link.mirror.accounts().length === 1, 'the snapshot applied');
    conn = await connectWithOAuth(c.mcpUrl, (id) => approveNext(comp, { scope: 'mcp:read', accounts: ['Sim101'] }, id).then(() => {}), new HeadlessProvider('http://127.0.0.1:9000/cb', 'NT8 1.0'));
    const status = await call(conn, 'get_status');
    assert.equal(status.s.link.protocol, '1.0');
    assert.deepEqual(status.s.link.connections, [{ name: 'Kinetick', status: 'Disconnected', priceStatus: null, accounts: ['Sim101'] }]);
    const accounts = await call(conn, 'list_accounts');
    assert.equal(accounts.s.accounts[0].displayName, 'Sim101', 'the name stands in for a display name');
    assert.match(accounts.text, /Sim101 \(sim, USD\): net liq \$100,000\.00.*connection "Kinetick": orders Disconnected$/m);
    const tick = await call(conn, 'get_bars', { instrument: 'ES', period: 'tick', count: 50 });
    assert.equal(tick.code, 'addon_outdated', tick.text);
    assert.match(tick.text, /speaks protocol 1\.0, which cannot carry bar period tick; update the add-on/);
    const minute = await call(conn, 'get_bars', { instrument: 'ES', count: 5 });
    assert.equal(minute.isError, false, minute.text);
    assert.deepEqual(addon.requests.filter((r) => r.method === 'getBars').map((r) => r.params), [{ instrument: 'ES 12-26', period: 'minute', count: 5 }]);
    const nq = await call(conn, 'get_quote', { instrument: 'NQ' });
    assert.equal(nq.code, 'no_market_data', nq.text);
    assert.match(nq.text, /cannot be asked to subscribe/);
    assert.ok(!addon.requests.some((r) => r.method === 'subscribeQuotes'));
  } finally {
    await conn?.close().catch(() => {});
    addon?.close();
    await c?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});
