// `npm run dashboard`: a person whose browser lost its session gets a fresh one-time link from the
// running companion without restarting it; the link works once; the control token is never printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCompanion } from './helpers/companion.ts';

const SCRIPT = ['--import', 'tsx', 'src/dashboard-link.ts'];

function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  // Asynchronous: the companion answering the script lives in this process's event loop.
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

test('npm run dashboard prints a fresh one-time link for the running companion, never the control token', async () => {
  const c = await startTestCompanion();
  try {
    const r = await run(['--data-dir', c.dir]);
    assert.equal(r.status, 0, r.stderr);
    const url = r.stdout.trim();
    assert.match(url, new RegExp(`^${c.origin}/#code=[A-Za-z0-9_-]{20,}$`));
    assert.ok(!r.stdout.includes(c.controlToken) && !r.stderr.includes(c.controlToken), 'the control token is never printed');
    assert.match(r.stderr, /one-time link/);
    // The code signs a browser in once.
    const code = new URL(url).hash.slice('#code='.length);
    const exchange = () =>
      fetch(`${c.controlUrl}/session`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-NTMCP-Dashboard': '1' }, body: JSON.stringify({ code }) });
    assert.equal((await exchange()).status, 200);
    assert.equal((await exchange()).status, 401, 'a second use is refused');
  } finally {
    await c.cleanup();
  }
});

test('npm run dashboard without a running companion says so in one sentence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-link-'));
  try {
    const r = spawnSync(process.execPath, [...SCRIPT, '--data-dir', dir], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /No companion has run with the data dir .*Start it with npm start\./);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
