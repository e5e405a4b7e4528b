// Launches the real desktop app (npm run desktop) when the Electron binary is installed and a
// display is available; otherwise skips with the reason. It checks the core came up inside
// Electron: runtime.json appears in the data dir and the MCP server answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { electronBinary } = (await import(pathToFileURL(join(ROOT, 'scripts', 'desktop.mjs')).href)) as {
  electronBinary(): { path: string | null; reason: string | null };
};

const bin = electronBinary();
const skip = !bin.path
  ? 'Electron binary not installed here: no network access to GitHub; run `node node_modules/electron/install.js` to enable'
  : process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY
    ? 'no display for Electron (run under xvfb-run to enable)'
    : false;

test('the desktop app starts the core in Electron and quits on SIGTERM', { skip, timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-smoke-'));
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'desktop.mjs')], {
    cwd: ROOT,
    env: { ...process.env, NT_MCP_DATA_DIR: dir, NT_MCP_PORT: '0', NT_MCP_LINK: 'sim' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  try {
    const runtime = join(dir, 'runtime.json');
    const end = Date.now() + 90_000;
    while (!existsSync(runtime)) {
      if (Date.now() > end || child.exitCode !== null) assert.fail(`the app never wrote runtime.json:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const { mcpUrl } = JSON.parse(readFileSync(runtime, 'utf8')) as { mcpUrl: string };
    const r = await fetch(mcpUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(r.status, 401, 'the MCP endpoint asks for OAuth');
    await r.body?.cancel();
  } finally {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
});
