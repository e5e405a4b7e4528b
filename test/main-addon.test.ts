// `npm start -- --link addon` as a user runs it: the banner waits for the add-on, then prints
// "Connected to NinjaTrader <nt8> (add-on x.y)" with the accounts when one dials in, and a refused
// add-on's reason. Test-only link timing (NT_MCP_TEST_LINK_TIMING) is honoured and announced only
// with NODE_ENV=test. (The C# add-on itself, under Mono: test/addon/e2e.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startSimulatorAddon } from '../src/simulator/addon.ts';
import { clockFromEnv } from '../src/clock.ts';

const TSX = ['--import', 'tsx', 'src/main.ts'];

function start(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [...TSX, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, out: () => out };
}

async function waitFor(fn: () => boolean, what: () => string, ms = 30_000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timeout: ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('--link addon: waits, then prints the connected add-on with its NT8 and add-on versions and accounts; a wrong secret is printed as refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-main-addon-'));
  const p = start(['--link', 'addon', '--port', '0', '--data-dir', dir, '--pairing-file', join(dir, 'pairing.json')], {
    NODE_ENV: 'test',
    NT_MCP_TEST_LINK_TIMING: '{"deadPeerMs":3000,"heartbeatIntervalMs":500,"requestTimeoutMs":2000}',
  });
  const addon = { close: async () => {} } as { close(): Promise<void> };
  try {
    await waitFor(() => p.out().includes('Press Ctrl+C'), p.out);
    assert.match(p.out(), /NT8 link:\s+Waiting for the NinjaTrader add-on to connect/);
    assert.match(p.out(), /Link:\s+TEST LINK TIMING \(NT_MCP_TEST_LINK_TIMING\): deadPeerMs 3000 ms, heartbeatIntervalMs 500 ms, requestTimeoutMs 2000 ms — not for trading/);
    assert.match(p.out(), new RegExp(`Pairing:\\s+${join(dir, 'pairing.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    // The file is there when the banner names it.
    const pairing = JSON.parse(readFileSync(join(dir, 'pairing.json'), 'utf8')) as { url: string; secret: string };

    // An add-on with the wrong secret: refused, and the console says why.
    const bad = new WebSocket(pairing.url, { headers: { Authorization: 'Bearer not-the-secret-0123456789abcdef' } });
    const status = await new Promise<number>((r) => bad.on('unexpected-response', (_req, res) => r(res.statusCode ?? 0)));
    assert.equal(status, 401);
    await waitFor(() => /NT8 link:\s+Refused an add-on connection .*wrong pairing secret/.test(p.out()), p.out);

    const a = startSimulatorAddon({ url: pairing.url, secret: pairing.secret, nt8Version: '8.1.4.1', quoteIntervalMs: 0, now: clockFromEnv().now });
    addon.close = () => a.close();
    await a.connected;
    await waitFor(() => /NT8 link:\s+Connected to NinjaTrader 8\.1\.4\.1 \(add-on [\w.-]+\).* — accounts: Sim101, Sim102\n/.test(p.out()), p.out);
    assert.equal(p.out().match(/NT8 link:\s+Connected to NinjaTrader/g)?.length, 1, 'one line per change, not one per snapshot');

    await a.close();
    await waitFor(() => /NT8 link:\s+Lost the connection to the NinjaTrader add-on/.test(p.out()), p.out);
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);
  } finally {
    await addon.close();
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a malformed NT_MCP_TEST_LINK_TIMING is one sentence and exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-main-addon-'));
  try {
    const bad = spawnSync(process.execPath, [...TSX, '--port', '0', '--data-dir', dir], {
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'test', NT_MCP_TEST_LINK_TIMING: '{"deadPeerMs":"soon"}' },
    });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /NT_MCP_TEST_LINK_TIMING: deadPeerMs: /);
    const unknown = spawnSync(process.execPath, [...TSX, '--port', '0', '--data-dir', dir], {
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'test', NT_MCP_TEST_LINK_TIMING: 'fast' },
    });
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /must be JSON like/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('outside tests the link timing variable changes nothing and says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-main-addon-'));
  const p = start(['--link', 'addon', '--port', '0', '--data-dir', dir, '--pairing-file', join(dir, 'pairing.json')], { NODE_ENV: 'production', NT_MCP_TEST_LINK_TIMING: '{"deadPeerMs":100}' });
  try {
    await waitFor(() => p.out().includes('Press Ctrl+C'), p.out);
    assert.match(p.out(), /NT_MCP_TEST_LINK_TIMING is ignored: it changes the add-on link timing only when NODE_ENV=test/);
    assert.doesNotMatch(p.out(), /TEST LINK TIMING/);
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);
  } finally {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
