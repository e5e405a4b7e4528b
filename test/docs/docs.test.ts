// Keep the docs true: every tool the server lists is documented with its scope, and every flag
// that --help shows is in the README or docs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { authorizeRaw, INIT, mcpPost, startTestCompanion } from '../helpers/companion.ts';
import { USAGE } from '../../src/config.ts';
import { REFUSAL_CODES } from '../../src/trading/refusal.ts';
import { AUDIT_OUTCOMES } from '../../src/control/contract.ts';

test('docs/tools.md documents every tool under its scope heading', async () => {
  const c = await startTestCompanion();
  try {
    const { tokens } = await authorizeRaw(c, { scope: 'mcp:trade', approve: { scope: 'mcp:read mcp:trade' } });
    const init = await mcpPost(c.origin, tokens.access_token, INIT);
    const h = { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-06-18' };
    const r = (await (await mcpPost(c.origin, tokens.access_token, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, h)).json()) as { result: { tools: { name: string; annotations: { readOnlyHint: boolean } }[] } };
    const doc = readFileSync('docs/tools.md', 'utf8');
    const [readPart, tradePart] = doc.split('## Trade tools');
    assert.ok(tradePart);
    assert.ok(r.result.tools.length >= 19);
    for (const t of r.result.tools) {
      const part = t.annotations.readOnlyHint ? readPart! : tradePart;
      assert.ok(part.includes(`\`${t.name}\``), `${t.name} is not documented under its scope`);
    }
  } finally {
    await c.cleanup();
  }
});

test('README starts with how to run and how to test, and --help matches the docs', () => {
  const readme = readFileSync('README.md', 'utf8');
  const run = readme.indexOf('npm start');
  const testCmd = readme.indexOf('npm test');
  assert.ok(run > 0 && run < 1500 && testCmd > 0 && testCmd < 2500, 'the two commands come first');
  for (const flag of USAGE.match(/--[a-z-]+/g)!) {
    assert.ok(readme.includes(flag) || flag === '--sim-seed' || flag === '--quote-interval' || flag === '--quiet' || flag === '--version', `README lacks ${flag}`);
  }
});

test('docs/tools.md lists every error code with its audit outcome; tools.md and security.md define every outcome', () => {
  const tools = readFileSync('docs/tools.md', 'utf8');
  const errors = tools.slice(tools.indexOf('## Errors'), tools.indexOf('## Read tools'));
  const rows = errors.split('\n').filter((l) => l.startsWith('| `'));
  for (const [code, outcome] of Object.entries(REFUSAL_CODES)) {
    if (code === 'confirmation_not_found') continue; // a control API answer (404), never a tool error
    const row = rows.find((l) => l.split('|')[1]!.includes(`\`${code}\``));
    assert.ok(row, `docs/tools.md has no row for the code ${code}`);
    assert.equal(row.split('|')[2]!.trim(), outcome, `docs/tools.md gives ${code} the wrong outcome`);
  }
  const security = readFileSync('docs/security.md', 'utf8');
  for (const outcome of Object.keys(AUDIT_OUTCOMES)) {
    assert.ok(errors.includes(`| \`${outcome}\` |`), `docs/tools.md does not define the outcome ${outcome}`);
    assert.ok(security.includes(`| \`${outcome}\` |`), `docs/security.md does not define the outcome ${outcome}`);
  }
});
