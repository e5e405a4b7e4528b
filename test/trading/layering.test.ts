// The domain never speaks MCP or HTTP (docs/security.md, notes/architecture.md): the trading guard
// says no with a Refusal that src/mcp and src/control map to their own errors. tools.ts is the MCP
// tool layer over the domain and may build tool definitions; nothing else in src/trading may.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';

test('src/trading imports nothing from src/mcp or src/http, except tools.ts building tool definitions', () => {
  for (const f of readdirSync('src/trading').filter((n) => n.endsWith('.ts'))) {
    const imports = [...readFileSync(`src/trading/${f}`, 'utf8').matchAll(/^import [^;]*? from '([^']+)';/gm)].map((m) => m[1]!);
    for (const from of imports) {
      assert.ok(!from.startsWith('../http/'), `src/trading/${f} imports ${from}`);
      if (f === 'tools.ts' && from === '../mcp/registry.ts') continue;
      assert.ok(!from.startsWith('../mcp/'), `src/trading/${f} imports ${from}`);
    }
  }
  const tools = readFileSync('src/trading/tools.ts', 'utf8');
  assert.doesNotMatch(tools, /ToolError|errorResult/, 'tools.ts refuses with the domain Refusal, not an MCP error');
});
