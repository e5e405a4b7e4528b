// durably(): the commit inside runs with synchronous=FULL (fsync before returning), then back to NORMAL.
import { test } from 'node:test';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { durably, openDatabase } from '../../src/store/db.ts';

test('durably switches to synchronous=FULL for its commit only; WAL and owner-only files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-db-'));
  try {
    const db = openDatabase(dir);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('synchronous', { simple: true }), 1, 'NORMAL by default');
    const inside = durably(db, () => db.pragma('synchronous', { simple: true }));
    assert.equal(inside, 2, 'FULL inside');
    assert.equal(db.pragma('synchronous', { simple: true }), 1, 'NORMAL again');
    assert.throws(() => durably(db, () => { throw new Error('boom'); }), /boom/);
    assert.equal(db.pragma('synchronous', { simple: true }), 1, 'restored after a failure');
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length, 'every migration applied');
    if (process.platform !== 'win32') assert.equal(statSync(join(dir, 'companion.db')).mode & 0o077, 0);
    db.close();
    // Re-opening applies nothing twice.
    const again = openDatabase(dir);
    assert.equal(again.pragma('user_version', { simple: true }), MIGRATIONS.length);
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
