// One companion per data dir: a second one refuses with a sentence; a stale lock is taken over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirInUseError, startCompanion } from '../../src/companion.ts';

test('a second companion on the same data dir is refused; after stop the dir is free again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-lock-'));
  try {
    const a = await startCompanion({ dataDir: dir, port: 0, quoteIntervalMs: 0 });
    await assert.rejects(startCompanion({ dataDir: dir, port: 0, quoteIntervalMs: 0 }), (e: Error) => {
      assert.ok(e instanceof DataDirInUseError);
      assert.match(e.message, new RegExp(`Another NT MCP Companion \\(pid ${process.pid}\\) is already using`));
      return true;
    });
    await a.stop();
    const b = await startCompanion({ dataDir: dir, port: 0, quoteIntervalMs: 0 });
    await b.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lock left by a dead process is taken over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-lock-'));
  try {
    writeFileSync(join(dir, 'companion.lock'), '999999999\n');
    const c = await startCompanion({ dataDir: dir, port: 0, quoteIntervalMs: 0 });
    await c.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
