// Profiling aid (not part of npm run bench): hammers one read tool so `--cpu-prof` shows where time goes.
import { request, Agent } from 'node:http';
import { authorizeRaw, INIT, startTestCompanion } from '../test/helpers/companion.ts';
const agent = new Agent({ keepAlive: true });
const c = await startTestCompanion();
const { tokens } = await authorizeRaw(c);
const r = await fetch(c.mcpUrl, { method: 'POST', headers: { Authorization: `Bearer ${tokens.access_token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }, body: JSON.stringify(INIT) });
const sid = r.headers.get('mcp-session-id')!;
const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: process.env.TOOL ?? 'list_positions', arguments: {} } });
const n = Number(process.env.N ?? 3000);
const t0 = performance.now();
for (let i = 0; i < n; i++) {
  await new Promise<void>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: c.urls.port, path: '/mcp', method: 'POST', agent, headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', Authorization: `Bearer ${tokens.access_token}`, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18', Host: `127.0.0.1:${c.urls.port}` } }, (res) => { res.resume(); res.on('end', () => resolve()); });
    req.on('error', reject);
    req.end(body);
  });
}
console.log(`${n} calls, mean ${((performance.now() - t0) / n).toFixed(3)} ms`);
await c.cleanup();
agent.destroy();
