// The Clock: the NT_MCP_TEST_CLOCK override works in tests only, and bad values are one sentence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clockFromEnv, clockNotice, ClockOverrideError, manualClock, parseClockOverride, systemClock } from '../src/clock.ts';

test('NT_MCP_TEST_CLOCK moves the clock only when NODE_ENV=test', () => {
  const pinned = clockFromEnv({ NODE_ENV: 'test', NT_MCP_TEST_CLOCK: '2026-12-25T15:00:00Z' });
  assert.ok(Math.abs(pinned.now() - Date.parse('2026-12-25T15:00:00Z')) < 5_000, 'starts at the instant and runs on');
  assert.equal(clockFromEnv({ NODE_ENV: 'production', NT_MCP_TEST_CLOCK: '2026-12-25T15:00:00Z' }), systemClock);
  assert.equal(clockFromEnv({ NT_MCP_TEST_CLOCK: '+100d' }), systemClock, 'a stray variable never moves a trader\'s clock');
  const base = manualClock(Date.parse('2026-11-25T10:00:00Z'));
  assert.equal(parseClockOverride('+100d', base), Date.parse('2027-03-05T10:00:00Z'));
  assert.equal(parseClockOverride('-3d', base), Date.parse('2026-11-22T10:00:00Z'));
  for (const bad of ['tomorrow', '100d', '2026-13-45', '']) assert.throws(() => parseClockOverride(bad, base), ClockOverrideError, bad);
});

test('bad time options are one sentence, not a stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-clockopt-'));
  try {
    const hours = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', '--port', '0', '--data-dir', dir, '--sim-hours', '9to5'], { encoding: 'utf8' });
    assert.equal(hours.status, 2);
    assert.match(hours.stderr, /--sim-hours must be "cme" or "24x7" \(got "9to5"\)/);
    const clock = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', '--port', '0', '--data-dir', dir], {
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'test', NT_MCP_TEST_CLOCK: 'next tuesday' },
    });
    assert.equal(clock.status, 1);
    assert.match(clock.stderr, /NT_MCP_TEST_CLOCK must be an ISO instant like 2026-12-10T15:00:00Z or an offset like \+100d \(got "next tuesday"\)/);
    assert.doesNotMatch(clock.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('npm start announces a test clock, and says so when the variable is set but ignored outside tests', () => {
  const clock = manualClock(Date.parse('2026-11-28T15:00:00Z'));
  assert.deepEqual(clockNotice(clock, {}), {});
  assert.deepEqual(clockNotice(clock, { NODE_ENV: 'test', NT_MCP_TEST_CLOCK: '2026-11-28T15:00:00Z' }), {
    line: 'TEST CLOCK (NT_MCP_TEST_CLOCK=2026-11-28T15:00:00Z): now 2026-11-28T15:00:00.000Z — not the real time',
  });
  assert.match(clockNotice(systemClock, { NT_MCP_TEST_CLOCK: '+3d' }).warning!, /NT_MCP_TEST_CLOCK=\+3d is ignored: it moves the clock only when NODE_ENV=test\. Running on real time\./);
});
