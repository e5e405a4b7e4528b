// `npm start` as a user runs it: a real child process, its output, runtime.json, signals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TSX = ['--import', 'tsx', 'src/main.ts'];

function start(args: string[]) {
  const child = spawn(process.execPath, [...TSX, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, out: () => out, err: () => err };
}

async function waitFor(fn: () => boolean, ms: number, what: () => string) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (fn()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timeout: ${what()}`);
}

test('starts headless: prints the URLs, writes runtime.json (owner-only), serves, stops cleanly on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-main-'));
  try {
    const p = start(['--port', '0', '--data-dir', dir]);
    await waitFor(() => p.out().includes('Press Ctrl+C'), 30_000, () => p.out() + p.err());
    const mcpUrl = /MCP URL:\s+(\S+)/.exec(p.out())![1]!;
    const dash = /Dashboard:\s+(\S+)/.exec(p.out())![1]!;
    assert.match(mcpUrl, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    assert.match(dash, /^http:\/\/127\.0\.0\.1:\d+\/#code=[A-Za-z0-9_-]{40,}$/);
    // How to get another link, naming this (non-default) data dir exactly.
    assert.ok(p.out().includes(`npm run dashboard -- --data-dir ${JSON.stringify(dir)} prints another`), p.out());
    assert.match(p.out(), /SIMULATED/);
    const runtime = JSON.parse(readFileSync(join(dir, 'runtime.json'), 'utf8')) as { mcpUrl: string; controlUrl: string; pid: number; version: string };
    assert.equal(runtime.mcpUrl, mcpUrl);
    assert.equal(runtime.pid, p.child.pid);
    assert.equal(runtime.controlUrl, mcpUrl.replace('/mcp', '/control/v1'));
    assert.ok(!JSON.stringify(runtime).includes(dash.split('#code=')[1]!), 'runtime.json does not carry the dashboard code');
    if (process.platform !== 'win32') {
      for (const f of ['runtime.json', 'control-token', 'companion.db']) assert.equal(statSync(join(dir, f)).mode & 0o077, 0, `${f} must be owner-only`);
      assert.equal(statSync(dir).mode & 0o077, 0, 'data dir must be owner-only');
    }
    const token = readFileSync(join(dir, 'control-token'), 'utf8').trim();
    assert.ok(!p.out().includes(token), 'the control token is never printed: the link carries a one-time code');
    assert.ok(!JSON.stringify(runtime).includes(token), 'runtime.json does not carry the control token');
    // The printed code opens one dashboard session.
    const redeem = () =>
      fetch(`${runtime.controlUrl}/session`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-NTMCP-Dashboard': '1' }, body: JSON.stringify({ code: dash.split('#code=')[1] }) });
    assert.equal((await redeem()).status, 200);
    assert.equal((await redeem()).status, 401, 'once');
    const meta = await fetch(mcpUrl.replace('/mcp', '/.well-known/oauth-protected-resource/mcp'));
    assert.equal(meta.status, 200);
    const unauth = await fetch(mcpUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(unauth.status, 401);
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);
    assert.match(p.out(), /shutting down/);
    assert.equal(p.err(), '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a port already in use gives one clear sentence, not a stack trace', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-main-'));
  try {
    const r = spawnSync(process.execPath, [...TSX, '--port', String(port), '--data-dir', dir], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--help documents the flags; a bad flag is one sentence and exit 2', () => {
  const help = spawnSync(process.execPath, [...TSX, '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  for (const flag of ['--port', '--data-dir', '--link', '--pairing-file', '--help']) assert.ok(help.stdout.includes(flag), flag);
  assert.match(help.stdout, /47600/);
  const bad = spawnSync(process.execPath, [...TSX, '--port', 'abc'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--port must be an integer/);
  const unknown = spawnSync(process.execPath, [...TSX, '--frobnicate'], { encoding: 'utf8' });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /--help/);
});
