// The control API as the UI and CLI use it: authentication, validation, audit paging, live events.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { authorizeRaw, INIT, mcpPost, registerClient, startTestCompanion, pkcePair, type TestCompanion } from '../helpers/companion.ts';
import type { AuditPage, ControlEvent, Status } from '../../src/control/contract.ts';

let c: TestCompanion;
before(async () => {
  c = await startTestCompanion();
});
after(async () => {
  await c.cleanup();
});

test('every control endpoint needs the control token; errors are JSON sentences', async () => {
  for (const path of ['/status', '/consents', '/clients', '/audit', '/events', '/confirmations', '/nope']) {
    const r = await c.control(path, { token: null });
    assert.equal(r.status, 401, path);
    const body = (await r.json()) as { error: string; message: string };
    assert.equal(body.error, 'unauthorized');
    assert.match(body.message, /control token/);
  }
  assert.equal((await c.control('/nope')).status, 404);
});

test('status reports the MCP URL, version, simulated link and pending counts', async () => {
  const s = await c.controlJson<Status>('/status');
  assert.equal(s.mcpUrl, c.mcpUrl);
  assert.match(s.version, /^\d+\.\d+\.\d+/);
  assert.equal(s.link.mode, 'simulator');
  assert.equal(s.link.status, 'connected');
  assert.equal(s.link.simulated, true);
  assert.deepEqual([...s.link.accounts].sort(), ['Sim101', 'Sim102']);
  assert.equal(typeof s.pending.consents, 'number');
});

test('bad input gets 400/415 with a sentence and changes nothing', async () => {
  const bad = await c.control('/consents/con_x/approve', { body: { scope: 'everything' } });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { message: string }).message, /Invalid approval/);
  const extra = await c.control('/consents/con_x/approve', { body: { hack: true } });
  assert.equal(extra.status, 400);
  const notJson = await fetch(`${c.controlUrl}/kill-switch`, { method: 'POST', headers: { Authorization: `Bearer ${c.controlToken}`, 'Content-Type': 'text/plain' }, body: 'engaged=true' });
  assert.equal(notJson.status, 415);
  const broken = await fetch(`${c.controlUrl}/kill-switch`, { method: 'POST', headers: { Authorization: `Bearer ${c.controlToken}`, 'Content-Type': 'application/json' }, body: '{"engaged":' });
  assert.equal(broken.status, 400);
  assert.equal(((await broken.json()) as { error: string }).error, 'invalid_json');
  assert.equal((await c.controlJson<Status>('/status')).killSwitch.engaged, false);
  const q = await c.control('/audit?limit=-4');
  assert.equal(q.status, 400);
  const o = await c.control('/audit?outcome=sort-of');
  assert.equal(o.status, 400, 'outcomes outside the taxonomy are refused');
  assert.match(((await o.json()) as { message: string }).message, /Invalid audit query: outcome/);
  for (const outcome of ['ok', 'refused', 'denied', 'cancelled', 'error', 'unknown']) assert.equal((await c.control(`/audit?outcome=${outcome}`)).status, 200, outcome);
  assert.equal((await c.control('/consents/con_missing/approve', { body: {} })).status, 404);
});

test('audit: newest first, keyset paging, filters by client and tool, no secrets', async () => {
  const a = await authorizeRaw(c);
  const init = await mcpPost(c.origin, a.tokens.access_token, INIT);
  const sid = init.headers.get('mcp-session-id')!;
  const h = { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' };
  for (let i = 0; i < 7; i++) {
    const r = await mcpPost(c.origin, a.tokens.access_token, { jsonrpc: '2.0', id: 10 + i, method: 'tools/call', params: { name: 'get_status', arguments: {} } }, h);
    assert.equal(r.status, 200);
  }
  const p1 = await c.controlJson<AuditPage>(`/audit?client=${a.clientId}&tool=get_status&limit=3`);
  assert.equal(p1.rows.length, 3);
  assert.ok(p1.rows[0]!.id > p1.rows[1]!.id, 'newest first');
  assert.ok(p1.nextBefore);
  const p2 = await c.controlJson<AuditPage>(`/audit?client=${a.clientId}&tool=get_status&limit=3&before=${p1.nextBefore}`);
  const p3 = await c.controlJson<AuditPage>(`/audit?client=${a.clientId}&tool=get_status&limit=3&before=${p2.nextBefore}`);
  assert.equal(p3.rows.length, 1);
  assert.equal(p3.nextBefore, null);
  const ids = [...p1.rows, ...p2.rows, ...p3.rows].map((r) => r.id);
  assert.equal(new Set(ids).size, 7);
  for (const r of [...p1.rows, ...p2.rows, ...p3.rows]) {
    assert.equal(r.kind, 'tool');
    assert.equal(r.outcome, 'ok');
    assert.equal(typeof r.latencyMs, 'number');
  }
  const all = await c.controlJson<AuditPage>('/audit?limit=1000');
  const text = JSON.stringify(all);
  assert.ok(!text.includes(a.tokens.access_token) && !text.includes(a.tokens.refresh_token) && !text.includes(a.verifier));
  const events = new Set(all.rows.map((r) => r.event));
  for (const e of ['client.registered', 'consent.created', 'consent.approved', 'code.issued', 'token.issued', 'tool.call']) assert.ok(events.has(e), e);
});

test('tool arguments in the audit are redacted and size-capped', async () => {
  const a = await authorizeRaw(c);
  const init = await mcpPost(c.origin, a.tokens.access_token, INIT);
  const h = { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-06-18' };
  const r = await mcpPost(c.origin, a.tokens.access_token, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'get_quote', arguments: { instrument: 'ES', api_key: 'sk-SECRET', note: 'x'.repeat(5000) } } }, h);
  assert.equal(r.status, 200);
  const body = (await r.json()) as { result: { isError: boolean; content: { text: string }[] } };
  assert.equal(body.result.isError, true, 'unknown arguments are refused');
  assert.match(body.result.content[0]!.text, /Invalid arguments/);
  const row = (await c.controlJson<AuditPage>(`/audit?client=${a.clientId}&tool=get_quote`)).rows[0]!;
  assert.ok(!row.args!.includes('sk-SECRET'));
  assert.ok(row.args!.includes('[redacted]'));
  assert.ok(row.args!.length <= 2100);
  assert.equal(row.outcome, 'error');
});

test('events: hello, then consent, decision, audit and revocation as they happen', async () => {
  const ctrl = new AbortController();
  const res = await fetch(`${c.controlUrl}/events`, { headers: { Authorization: `Bearer ${c.controlToken}` }, signal: ctrl.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /text\/event-stream/);
  const seen: ControlEvent[] = [];
  const reader = res.body!.getReader();
  const pump = (async () => {
    let buf = '';
    const dec = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const chunk = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = chunk.split('\n').find((l) => l.startsWith('data: '));
          if (data) seen.push(JSON.parse(data.slice(6)) as ControlEvent);
        }
      }
    } catch {
      /* aborted */
    }
  })();
  const waitFor = async (type: ControlEvent['type']) => {
    for (let i = 0; i < 200; i++) {
      const e = seen.find((x) => x.type === type);
      if (e) return e;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no ${type} event; saw ${seen.map((x) => x.type)}`);
  };
  assert.equal((await waitFor('hello')).type, 'hello');
  const { client_id } = await registerClient(c.origin);
  const u = new URL(`${c.origin}/authorize`);
  u.search = new URLSearchParams({ response_type: 'code', client_id, redirect_uri: 'http://127.0.0.1:33418/callback', code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }).toString();
  await fetch(u, { redirect: 'manual' });
  const created = (await waitFor('consent.created')) as Extract<ControlEvent, { type: 'consent.created' }>;
  assert.equal(created.consent.clientName, 'Test Client');
  await c.controlJson(`/consents/${created.consent.id}/approve`, { body: {} });
  const decided = (await waitFor('consent.decided')) as Extract<ControlEvent, { type: 'consent.decided' }>;
  assert.equal(decided.decision, 'approved');
  await waitFor('audit');
  await c.controlJson(`/clients/${client_id}/revoke`, { method: 'POST' });
  const revoked = (await waitFor('client.revoked')) as Extract<ControlEvent, { type: 'client.revoked' }>;
  assert.equal(revoked.clientId, client_id);
  // The kill switch event carries the companion's own "since" (its clock, not the dashboard's).
  await c.controlJson('/kill-switch', { body: { engaged: true } });
  const kill = (await waitFor('killswitch')) as Extract<ControlEvent, { type: 'killswitch' }>;
  assert.equal(kill.engaged, true);
  assert.equal(kill.since, (await c.controlJson<Status>('/status')).killSwitch.since);
  await c.controlJson('/kill-switch', { body: { engaged: false } });
  ctrl.abort();
  await pump;
});
