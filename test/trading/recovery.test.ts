// Honest recovery after a crash (issue 9, finding 4). A real companion process (`npm start` with
// --link addon) is killed with SIGKILL while one order is at the add-on, one awaits the person and
// one was sent but lost with the link; NinjaTrader (the simulator engine, kept alive in this
// process) outlives it. After a restart on the same data dir and port, the rows left pending are
// reconciled against the add-on's snapshot by their namespaced name: found → placed with its state;
// never sent → not_sent (a retry sends it); sent but not found → outcome_unknown, told to the person,
// and a retry says so instead of "in progress" for ever.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { connectWithOAuth, HeadlessProvider, type ConnectedClient } from '../helpers/sdk-client.ts';
import { controlOfProcess } from '../helpers/companion.ts';
import { call, until } from '../helpers/tools.ts';
import { startSimulatorAddon, type SimulatorAddon } from '../../src/simulator/addon.ts';
import { SimEngine } from '../../src/simulator/engine.ts';
import { clockFromEnv } from '../../src/clock.ts';
import type { AuditPage, OrderConfirmation, PendingConsent, ResolveUnknownResult, UnknownOrder } from '../../src/control/contract.ts';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function startProcess(dir: string, port: number) {
  rmSync(join(dir, 'pairing.json'), { force: true }); // a previous run's file carries its old secret
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--port', String(port), '--data-dir', dir, '--link', 'addon', '--pairing-file', join(dir, 'pairing.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  await until(async () => out.includes('Press Ctrl+C') || child.exitCode !== null, 'the companion process to start', 30_000);
  assert.ok(out.includes('Press Ctrl+C'), out);
  const origin = `http://127.0.0.1:${port}`;
  const token = readFileSync(join(dir, 'control-token'), 'utf8').trim();
  const control = controlOfProcess(`${origin}/control/v1`, token);
  // The pairing file is written in the background (atomically, by rename): wait for this run's.
  const pairingPath = join(dir, 'pairing.json');
  await until(async () => existsSync(pairingPath), 'the pairing file', 10_000);
  const pairing = JSON.parse(readFileSync(pairingPath, 'utf8')) as { url: string; secret: string };
  return { child, exited, control, pairing, mcpUrl: `${origin}/mcp`, out: () => out };
}

// NinjaTrader (the engine here) and the companion child read the same clock: the child takes
// NT_MCP_TEST_CLOCK from the environment, so this side must too, or on a pinned date the two
// disagree on which contract "ES" is.
const clock = clockFromEnv();

function attach(engine: SimEngine, pairing: { url: string; secret: string }): SimulatorAddon {
  return startSimulatorAddon({ url: pairing.url, secret: pairing.secret, engine, quoteIntervalMs: 0, hours: '24x7', now: clock.now });
}

/** An MCP client of companion process `p`, its consent approved through the control API (trade on Sim101, every order confirmed). */
function connectApproving(p: Awaited<ReturnType<typeof startProcess>>, name: string): Promise<ConnectedClient> {
  return connectWithOAuth(
    p.mcpUrl,
    async (id) => {
      const consent = await until(async () => (await p.control<{ consents: PendingConsent[] }>('/consents')).consents.find((x) => x.id === id), 'the consent');
      await p.control(`/consents/${consent.id}/approve`, { scope: 'mcp:read mcp:trade', accounts: ['Sim101'], confirmPolicy: 'always' });
    },
    new HeadlessProvider('http://127.0.0.1:9000/cb', name),
  );
}

const limit = (clientOrderId: string, limitPrice: number) => ({ account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, orderType: 'LIMIT', limitPrice, clientOrderId });

test('after kill -9: an order found at NinjaTrader is placed, one never sent is not_sent and can be retried, one sent and lost is outcome_unknown for the person', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-crash-'));
  const port = await freePort();
  const engine = new SimEngine({ startTime: clock.now(), seed: 42, hours: '24x7' });
  let p1: Awaited<ReturnType<typeof startProcess>> | undefined;
  let p2: Awaited<ReturnType<typeof startProcess>> | undefined;
  let sim1: SimulatorAddon | undefined;
  let sim2: SimulatorAddon | undefined;
  let conn: ConnectedClient | undefined;
  let client2: Client | undefined;
  try {
    p1 = await startProcess(dir, port);
    sim1 = attach(engine, p1.pairing);
    await sim1.connected;
    sim1.setQuote('ES', 6000);
    const first = p1;
    conn = await connectApproving(p1, 'Crash Test');
    const approveOne = async (summary: RegExp) => {
      const cf = await until(async () => (await first.control<{ confirmations: OrderConfirmation[] }>('/confirmations')).confirmations.find((x) => summary.test(x.summary)), `confirmation ${summary}`);
      await first.control(`/confirmations/${cf.id}/approve`, {});
    };
    // "NinjaTrader" is busy: requests reach it but are not answered yet.
    sim1.pauseResponses();
    const atAddon = call(conn, 'place_order', limit('at-addon', 5990)).catch(() => undefined);
    await approveOne(/@ 5990\.00/);
    const lost = call(conn, 'place_order', limit('lost-1', 5980)).catch(() => undefined);
    await approveOne(/@ 5980\.00/);
    await until(async () => sim1!.heldRequests() === 2, 'both requests at the add-on');
    const waiting = call(conn, 'place_order', limit('awaiting', 5970)).catch(() => undefined);
    await until(async () => (await first.control<{ confirmations: OrderConfirmation[] }>('/confirmations')).confirmations.length === 1, 'the third awaits the person');

    // Crash.
    p1.child.kill('SIGKILL');
    await p1.exited;
    void atAddon; void lost; void waiting;
    // NinjaTrader carries on: it processes the first request; the second was lost with the link.
    sim1.dropHeldRequests((r) => (r.params as { name?: string }).name?.endsWith(':lost-1') === true);
    sim1.resumeResponses();
    await sim1.close();
    assert.equal(engine.orders('Sim101').length, 1, 'exactly the first order exists at NinjaTrader');

    // Restart on the same data dir and port; the add-on reconnects and sends its snapshot.
    p2 = await startProcess(dir, port);
    sim2 = attach(engine, p2.pairing);
    await sim2.connected;
    const second = p2;
    client2 = new Client({ name: 'sdk-test', version: '1.0.0' });
    await client2.connect(new StreamableHTTPClientTransport(new URL(p2.mcpUrl), { authProvider: conn.provider }));
    const conn2: ConnectedClient = { client: client2, transport: undefined as never, provider: conn.provider, close: () => client2!.close() };

    // Found at NinjaTrader → placed, with its state; the retry places nothing new.
    const r1 = await call(conn2, 'place_order', limit('at-addon', 5990));
    assert.equal(r1.isError, false, r1.text);
    assert.equal(r1.s.duplicate, true);
    assert.equal(r1.s.orders[0].name, 'at-addon');
    assert.equal(r1.s.orders[0].state, 'Working');

    // Never sent → the retry sends it (after the person approves it again).
    const r3p = call(conn2, 'place_order', limit('awaiting', 5970));
    const cf = await until(async () => (await second.control<{ confirmations: OrderConfirmation[] }>('/confirmations')).confirmations[0], 'the retry asks the person again');
    await second.control(`/confirmations/${cf.id}/approve`, {});
    const r3 = await r3p;
    assert.equal(r3.isError, false, r3.text);
    assert.notEqual(r3.s.duplicate, true);
    assert.equal(engine.orders('Sim101').length, 2);

    // Sent, but NinjaTrader does not have it → outcome_unknown, said to the person and to the retry.
    const r2 = await call(conn2, 'place_order', limit('lost-1', 5980));
    assert.equal(r2.code, 'outcome_unknown', r2.text);
    assert.match(r2.text, /restart/i);
    assert.equal(engine.orders('Sim101').length, 2, 'nothing resent blindly');
    const activity = await second.control<{ rows: { message: string }[] }>('/activity?limit=50');
    assert.ok(activity.rows.some((a) => /lost-1/.test(a.message) && /unknown/i.test(a.message)), JSON.stringify(activity.rows.map((a) => a.message)));
  } finally {
    await client2?.close().catch(() => {});
    await conn?.close().catch(() => {});
    await sim1?.close();
    await sim2?.close();
    for (const p of [p1, p2]) {
      if (p && p.child.exitCode === null) {
        p.child.kill('SIGTERM');
        await p.exited;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

test('after kill -9: the person resolves each order of unknown outcome in the control API, and the retries behave by the answer', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-crash-'));
  const port = await freePort();
  const engine = new SimEngine({ startTime: clock.now(), seed: 42, hours: '24x7' });
  let p1: Awaited<ReturnType<typeof startProcess>> | undefined;
  let p2: Awaited<ReturnType<typeof startProcess>> | undefined;
  let sim1: SimulatorAddon | undefined;
  let sim2: SimulatorAddon | undefined;
  let conn: ConnectedClient | undefined;
  let client2: Client | undefined;
  try {
    p1 = await startProcess(dir, port);
    sim1 = attach(engine, p1.pairing);
    await sim1.connected;
    sim1.setQuote('ES', 6000);
    const first = p1;
    conn = await connectApproving(p1, 'Resolve Test');
    const approve = async (p: typeof first, summary: RegExp) => {
      const cf = await until(async () => (await p.control<{ confirmations: OrderConfirmation[] }>('/confirmations')).confirmations.find((x) => summary.test(x.summary)), `confirmation ${summary}`);
      await p.control(`/confirmations/${cf.id}/approve`, {});
    };
    // Two orders reach "NinjaTrader", which does not answer; the companion is killed.
    sim1.pauseResponses();
    void call(conn, 'place_order', limit('gone-1', 5990)).catch(() => undefined);
    await approve(first, /@ 5990\.00/);
    void call(conn, 'place_order', limit('late-2', 5980)).catch(() => undefined);
    await approve(first, /@ 5980\.00/);
    await until(async () => sim1!.heldRequests() === 2, 'both requests at the add-on');
    p1.child.kill('SIGKILL');
    await p1.exited;
    sim1.dropHeldRequests(); // both lost with the link: NinjaTrader has neither
    sim1.resumeResponses();
    await sim1.close();

    p2 = await startProcess(dir, port);
    sim2 = attach(engine, p2.pairing);
    await sim2.connected;
    const second = p2;
    client2 = new Client({ name: 'sdk-test', version: '1.0.0' });
    await client2.connect(new StreamableHTTPClientTransport(new URL(p2.mcpUrl), { authProvider: conn.provider }));
    const conn2: ConnectedClient = { client: client2, transport: undefined as never, provider: conn.provider, close: () => client2!.close() };

    // Both are unknown after the restart and shown to the person.
    const unknown = async () => (await second.control<{ orders: UnknownOrder[] }>('/unknown-orders')).orders;
    const listed = await until(async () => {
      const u = await unknown();
      return u.length === 2 ? u : undefined;
    }, 'both orders of unknown outcome');
    assert.deepEqual(listed.map((u) => u.clientOrderId).sort(), ['gone-1', 'late-2']);
    for (const u of listed) {
      assert.match(u.reason, /restart/);
      assert.equal(u.clientName, 'Resolve Test');
      assert.equal(u.found, null);
    }
    const activity = await second.control<{ rows: { message: string }[] }>('/activity?limit=50');
    assert.ok(activity.rows.some((a) => /Needs you/.test(a.message) && /late-2/.test(a.message) && /answer in the dashboard/.test(a.message)));
    assert.equal((await call(conn2, 'place_order', limit('gone-1', 5990))).code, 'outcome_unknown', 'nothing resolves it by itself');

    // NinjaTrader reports "late-2" after all (it got there late); "gone-1" never arrives.
    const late = listed.find((u) => u.clientOrderId === 'late-2')!;
    const placed = engine.handle('placeOrder', { account: 'Sim101', instrument: late.instrument, action: 'Buy', orderType: 'Limit', limitPrice: 5980, quantity: 1, timeInForce: 'Day', name: late.wireName }, clock.now());
    assert.ok(placed.ok);
    sim2.publish(placed.events);
    const lateOrderId = (placed.result as { order: { orderId: string } }).order.orderId;
    await until(async () => (await unknown()).find((u) => u.clientOrderId === 'late-2')?.found?.orderId === lateOrderId, 'the dashboard sees it under its name');

    const clientId = late.clientId;
    const r1 = await second.control<ResolveUnknownResult>('/unknown-orders/resolve', { clientId, clientOrderId: 'late-2', resolution: 'placed' });
    assert.deepEqual(r1, { resolved: true, status: 'placed', orderId: lateOrderId });
    const r2 = await second.control<ResolveUnknownResult>('/unknown-orders/resolve', { clientId, clientOrderId: 'gone-1', resolution: 'not_placed' });
    assert.deepEqual(r2, { resolved: true, status: 'not_sent', orderId: null });
    assert.deepEqual(await unknown(), []);
    const audit = await second.control<AuditPage>('/audit?limit=100');
    const resolved = audit.rows.filter((x) => x.event === 'order.resolved');
    assert.equal(resolved.length, 2);
    assert.ok(resolved.every((x) => x.outcome === 'ok' && x.clientId === clientId && /^the desktop \(control token\)/.test(x.detail!)));

    // The retries: "placed" returns that order and places nothing; "never placed" sends it, once.
    const count = () => engine.orders('Sim101').length;
    const before = count();
    const a = await call(conn2, 'place_order', limit('late-2', 5980));
    assert.equal(a.isError, false, a.text);
    assert.equal(a.s.duplicate, true);
    assert.equal(a.s.orders[0].orderId, lateOrderId);
    assert.equal(count(), before);
    const bp = call(conn2, 'place_order', limit('gone-1', 5990));
    await approve(second, /@ 5990\.00/); // sent only after the person approves it again, as always
    const b = await bp;
    assert.equal(b.isError, false, b.text);
    assert.notEqual(b.s.duplicate, true);
    assert.equal(count(), before + 1);
    assert.equal((await call(conn2, 'place_order', limit('gone-1', 5990))).s.duplicate, true);
    assert.equal(count(), before + 1, 'sent once');
  } finally {
    await client2?.close().catch(() => {});
    await conn?.close().catch(() => {});
    await sim1?.close();
    await sim2?.close();
    for (const p of [p1, p2]) {
      if (p && p.child.exitCode === null) {
        p.child.kill('SIGTERM');
        await p.exited;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
