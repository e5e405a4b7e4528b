// Acceptance for the time work: `NODE_ENV=test NT_MCP_TEST_CLOCK=+100d npm start -- --sim-hours
// 24x7` is a companion living 100 days ahead; it quotes and trades ES in that day's front month.
// A real child process from src/main.ts, the SDK client over OAuth (tools/list first), the
// person's approval through the control API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveInstrument } from '../src/ninjatrader/instruments.ts';
import { connectWithOAuth, HeadlessProvider } from './helpers/sdk-client.ts';
import { call } from './helpers/tools.ts';

test('a companion started 100 days ahead (NT_MCP_TEST_CLOCK=+100d) quotes and trades ES in the then-front month', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-clock-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--port', '0', '--data-dir', dir, '--sim-hours', '24x7'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'test', NT_MCP_TEST_CLOCK: '+100d' },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    const started = Date.now();
    while (!out.includes('Press Ctrl+C')) {
      if (Date.now() - started > 30_000 || child.exitCode !== null) throw new Error(`did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // A test clock is announced, so nobody takes it for real time.
    assert.match(out, /Clock:\s+TEST CLOCK \(NT_MCP_TEST_CLOCK=\+100d\): now \d{4}-\d{2}-\d{2}T.* — not the real time/);
    const mcpUrl = /MCP URL:\s+(\S+)/.exec(out)![1]!;
    const origin = new URL(mcpUrl).origin;
    const controlToken = readFileSync(join(dir, 'control-token'), 'utf8').trim();
    const approve = async (id: string) => {
      const r = await fetch(`${origin}/control/v1/consents/${id}/approve`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${controlToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ scope: 'mcp:read mcp:trade', accounts: ['Sim101'], confirmPolicy: 'never' }),
      });
      assert.equal(r.status, 200, await r.text());
    };
    const conn = await connectWithOAuth(mcpUrl, approve, new HeadlessProvider('http://127.0.0.1:9000/cb', 'Clock Tester', 'mcp:read mcp:trade'));
    try {
      await conn.client.listTools();
      const expected = resolveInstrument('ES', Date.now() + 100 * 86_400_000)!.contract;
      const q = await call(conn, 'get_quote', { instrument: 'ES' });
      assert.equal(q.isError, false, q.text);
      assert.equal(q.s.quote.instrument, expected);
      assert.equal(q.s.marketOpen, true, '--sim-hours 24x7: open whatever the day');
      const st = await call(conn, 'get_status');
      assert.equal(st.s.market.hours, '24x7');
      assert.equal(st.s.market.closed.length, 0);
      assert.match(st.text, /the simulator trades around the clock/);
      const order = await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, clientOrderId: 'plus-100d' });
      assert.equal(order.isError, false, order.text);
      assert.equal(order.s.orders[0].instrument, expected);
      assert.equal(order.s.orders[0].state, 'Filled');
    } finally {
      await conn.close();
    }
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
