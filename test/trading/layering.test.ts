// The domain never speaks MCP, HTTP or the control API (docs/security.md, notes/architecture.md):
// the trading guard says no with a Refusal that src/mcp and src/control map to their own errors, and
// the MCP tools over the domain live in src/mcp (src/mcp/trading-tools.ts). This test keeps it so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';

const FORBIDDEN = ['mcp', 'control', 'http'];

/** Every module a TypeScript source names: import/export … from, import '…', import('…'), require('…'). */
function importsOf(source: string): string[] {
  const specs = [
    ...source.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]/gm),
    ...source.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
    ...source.matchAll(/\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g),
  ];
  return specs.map((m) => m[1]!);
}

/** The imports of a file in src/trading that reach into a forbidden layer. */
function violations(source: string): string[] {
  return importsOf(source).filter((from) => FORBIDDEN.some((layer) => new RegExp(`^(\\.\\./)+(src/)?${layer}/`).test(from) || from.startsWith(`src/${layer}/`)));
}

test('src/trading imports nothing from src/mcp, src/control or src/http', () => {
  const files = readdirSync('src/trading', { recursive: true, encoding: 'utf8' }).filter((n) => n.endsWith('.ts'));
  assert.ok(files.length >= 10, `the split trading layer is there (${files.join(', ')})`);
  for (const f of files) {
    assert.deepEqual(violations(readFileSync(`src/trading/${f}`, 'utf8')), [], `src/trading/${f} imports another layer`);
  }
  const tools = readFileSync('src/mcp/trading-tools.ts', 'utf8');
  assert.doesNotMatch(tools, /ToolError|errorResult/, 'the trading tools refuse with the domain Refusal, not an MCP error');
});

test('the import check bites: planted imports of each forbidden layer are found, neighbours are not', () => {
  const planted = [
    "import { defineTool } from '../mcp/registry.ts';",
    "import type { OrderConfirmation } from '../control/contract.ts';",
    "export { x } from '../http/server.ts';",
    "import type {\n  A,\n  B,\n} from '../control/api.ts';",
    "const m = await import('../mcp/endpoint.ts');",
    "import '../http/side-effect.ts';",
  ];
  for (const p of planted) assert.equal(violations(p).length, 1, `caught: ${p}`);
  const fine = [
    "import { Refusal } from './refusal.ts';",
    "import type { AuditLog } from '../audit/audit.ts';",
    "import { rootOfContract } from '../ninjatrader/instruments.ts';",
    "// a comment naming '../mcp/registry.ts' is no import",
  ];
  for (const p of fine) assert.deepEqual(violations(p), [], `allowed: ${p}`);
});

test('every trade path and preview run the one guard pipeline, each step a named function', async () => {
  const { GUARD_STEPS, RECHECK_STEPS } = await import('../../src/trading/guard.ts');
  assert.deepEqual(
    GUARD_STEPS.map((s) => s.name),
    ['scope', 'accounts', 'idempotency', 'replace_target', 'kill_switch', 'connected', 'account_data', 'required_position', 'measure', 'limit_order_quantity', 'limit_position', 'risk_rules', 'limit_rate'],
  );
  for (const s of RECHECK_STEPS) assert.ok(GUARD_STEPS.includes(s), `recheck step ${s.name} is a guard step`);
  const trading = readFileSync('src/trading/trading.ts', 'utf8');
  assert.equal([...trading.matchAll(/runGuard\(/g)].length >= 1, true);
  assert.doesNotMatch(trading, /kill_switch_engaged',\s*`Refused|limit_max_position'/, 'no guard rule is written outside guard.ts');
});
