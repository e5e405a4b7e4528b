// One clock: nothing under src/ but src/clock.ts reads the wall clock for domain time. Formatting
// an injected instant (`new Date(ms)`) is fine; `Date.now` (called or passed as a function) and an
// argument-less `new Date()` are not. Timers and performance.now() measure elapsed time, not
// domain time, and are allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.(ts|tsx)$/.test(name)) out.push(p);
  }
  return out;
}

/** Source text with comments and string literals blanked, so prose about Date.now() does not count. */
function code(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/(^|[^:\\])\/\/.*$/gm, '$1')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''");
}

/**
 * Files still to be moved onto the clock by whoever owns them. Each entry must name why. The list
 * only shrinks: an entry that no longer offends fails the test below, so it cannot linger.
 */
const PENDING: Record<string, string> = {};

test('only src/clock.ts reads the wall clock (no Date.now, no argument-less new Date())', () => {
  const offenders: string[] = [];
  const pendingSeen = new Set<string>();
  for (const f of files('src')) {
    if (f === join('src', 'clock.ts')) continue;
    const lines = code(readFileSync(f, 'utf8')).split('\n');
    lines.forEach((line, i) => {
      if (/\bDate\s*\.\s*now\b/.test(line) || /\bnew\s+Date\s*\(\s*\)/.test(line) || /\bnew\s+Date\b(?!\s*\()/.test(line)) {
        if (Object.hasOwn(PENDING, f)) pendingSeen.add(f);
        else offenders.push(`${f}:${i + 1}: ${line.trim()}`);
      }
    });
  }
  assert.deepEqual(offenders, [], `read the injected Clock instead:\n${offenders.join('\n')}`);
  for (const f of Object.keys(PENDING)) assert.ok(pendingSeen.has(f), `${f} no longer reads the wall clock: remove it from PENDING`);
});

test('the discipline check itself catches the forms it forbids', () => {
  const bad = ['const t = Date.now();', 'now ?? Date.now', 'x = new Date();', 'x = new Date;', 'Date . now()'];
  const ok = ['new Date(ms).toISOString()', '// Date.now() in a comment', "'Date.now()'", 'Date.UTC(2026, 0, 1)', 'performance.now()'];
  const hit = (s: string) => {
    const line = code(s);
    return /\bDate\s*\.\s*now\b/.test(line) || /\bnew\s+Date\s*\(\s*\)/.test(line) || /\bnew\s+Date\b(?!\s*\()/.test(line);
  };
  for (const s of bad) assert.ok(hit(s), s);
  for (const s of ok) assert.ok(!hit(s), s);
});
