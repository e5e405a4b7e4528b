// The add-on's C# unit tests (addon/tests: JSON reader/writer, messages, pairing file, backoff,
// dispatcher ordering and dedup) compiled with Mono's mcs and run under mono, as CI does. Without
// Mono this test fails in CI (where .ci/run installs it) and is skipped, saying why, elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { findMcs, findMono } from '../../scripts/addon.mjs';

const missing = !findMcs() ? 'mcs' : !findMono() ? 'mono' : null;
const skip = missing && !process.env.CI ? `Mono's ${missing} is not installed (apt-get install mono-mcs mono-runtime); CI installs it and runs this test` : false;

test('Protocol/ compiles on its own (no Gateway or NinjaTrader type), and the C# unit tests of Protocol/ and Gateway/ compile with mcs -langversion:7.2 and all pass under mono', { skip, timeout: 300_000 }, () => {
  assert.equal(missing, null, `Mono's ${missing} is missing in CI: install mono-mcs and mono-runtime in .ci/run`);
  const r = spawnSync(process.execPath, ['scripts/addon.mjs', 'test'], { encoding: 'utf8', timeout: 280_000 });
  const out = (r.stdout ?? '') + (r.stderr ?? '');
  const summary = /(\d+) passed, (\d+) failed/.exec(out);
  assert.ok(summary, `the C# test runner printed no summary:\n${out}`);
  assert.equal(summary[2], '0', `C# unit tests failed:\n${out.split('\n').filter((l) => !l.startsWith('ok ')).join('\n')}`);
  assert.ok(Number(summary[1]) >= 40, `expected the whole C# suite to run, got ${summary[1]} tests`);
  assert.equal(r.status, 0, out);
});
