import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPairingPath, readPairingFile, writePairingFile } from '../../src/ninjatrader/pairing.ts';

test('writes the pairing file (mkdir -p, mode 0600) and reads it back', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pairing-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'NinjaTrader 8', 'nt-mcp-companion', 'pairing.json');
  const data = { url: 'ws://127.0.0.1:4567/addon', secret: 'x'.repeat(43), protocolVersion: 1 };
  await writePairingFile(path, data);
  assert.deepEqual(await readPairingFile(path), data);
  if (process.platform !== 'win32') assert.equal(statSync(path).mode & 0o777, 0o600);
  // Overwrite keeps 0600.
  await writePairingFile(path, { ...data, secret: 'y'.repeat(43) });
  assert.equal((await readPairingFile(path)).secret, 'y'.repeat(43));
  if (process.platform !== 'win32') assert.equal(statSync(path).mode & 0o777, 0o600);
});

test('a tampered pairing file is rejected', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pairing-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'pairing.json');
  writeFileSync(path, JSON.stringify({ url: 'not a url', secret: 'short', protocolVersion: 1 }));
  await assert.rejects(readPairingFile(path));
});

test('default path lives in the NT8 user folder', () => {
  assert.equal(
    defaultPairingPath('win32', { USERPROFILE: 'C:\\Users\\ann' }),
    'C:\\Users\\ann\\Documents\\NinjaTrader 8\\nt-mcp-companion\\pairing.json',
  );
  assert.match(defaultPairingPath('linux', {}), /\/Documents\/NinjaTrader 8\/nt-mcp-companion\/pairing\.json$/);
});
