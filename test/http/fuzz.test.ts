// Issue 9, finding 10 (the 5xx part): no body a client can send makes a door answer 500 or show a
// stack trace. Each door gets the same malformed inputs — broken JSON, wrong content types, unknown
// charsets, compressed bodies, bodies over the limit, arrays/nulls/strings where an object belongs —
// and must answer a 4xx in the error shape it documents: OAuth error JSON at the OAuth endpoints,
// `{ error, message }` at the control API, a JSON-RPC error at /mcp.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { authorizeRaw, INIT, mcpPost, startTestCompanion, type TestCompanion } from '../helpers/companion.ts';

let c: TestCompanion;
let mcpHeaders: Record<string, string>;
before(async () => {
  c = await startTestCompanion();
  const { tokens } = await authorizeRaw(c, {});
  const sid = (await mcpPost(c.origin, tokens.access_token, INIT)).headers.get('mcp-session-id')!;
  mcpHeaders = { Authorization: `Bearer ${tokens.access_token}`, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18', Accept: 'application/json, text/event-stream' };
});
after(async () => {
  await c.cleanup();
});

interface Case {
  name: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_T = 'application/json';

function cases(form: boolean): Case[] {
  const type = form ? FORM : JSON_T;
  const ok = form ? 'grant_type=refresh_token&refresh_token=x' : '{"engaged":true}';
  return [
    { name: 'malformed JSON', headers: { 'Content-Type': JSON_T }, body: '{"a":' },
    { name: 'JSON null', headers: { 'Content-Type': JSON_T }, body: 'null' },
    { name: 'JSON array', headers: { 'Content-Type': JSON_T }, body: '[1,{"a":2},null]' },
    { name: 'JSON string', headers: { 'Content-Type': JSON_T }, body: '"engaged"' },
    { name: 'JSON number', headers: { 'Content-Type': JSON_T }, body: '42' },
    { name: 'deeply nested JSON', headers: { 'Content-Type': JSON_T }, body: `${'['.repeat(5000)}${']'.repeat(5000)}` },
    { name: 'text/plain', headers: { 'Content-Type': 'text/plain' }, body: ok },
    { name: 'no content type', headers: {}, body: ok },
    { name: 'multipart', headers: { 'Content-Type': 'multipart/form-data; boundary=x' }, body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--' },
    { name: 'unknown charset', headers: { 'Content-Type': `${type}; charset=klingon` }, body: ok },
    { name: 'utf-16 charset', headers: { 'Content-Type': `${type}; charset=utf-16` }, body: ok },
    { name: 'latin1 bytes', headers: { 'Content-Type': type }, body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) },
    { name: 'gzip', headers: { 'Content-Type': type, 'Content-Encoding': 'gzip' }, body: gzipSync(ok) },
    { name: 'deflate', headers: { 'Content-Type': type, 'Content-Encoding': 'deflate' }, body: deflateSync(ok) },
    { name: 'br', headers: { 'Content-Type': type, 'Content-Encoding': 'br' }, body: brotliCompressSync(ok) },
    { name: 'gzip that is not gzip', headers: { 'Content-Type': type, 'Content-Encoding': 'gzip' }, body: ok },
    { name: 'unknown encoding', headers: { 'Content-Type': type, 'Content-Encoding': 'x-klingon' }, body: ok },
    { name: 'huge body', headers: { 'Content-Type': type }, body: form ? `a=${'x'.repeat(2_000_000)}` : `{"a":"${'x'.repeat(2_000_000)}"}` },
    { name: 'body over the route limit', headers: { 'Content-Type': type }, body: form ? `a=${'x'.repeat(100_000)}` : `{"a":"${'x'.repeat(100_000)}"}` },
    { name: 'repeated form parameters', headers: { 'Content-Type': FORM }, body: 'grant_type=a&grant_type=b&token=1&token=2' },
    { name: 'form with too many parameters', headers: { 'Content-Type': FORM }, body: Array.from({ length: 200 }, (_, i) => `p${i}=1`).join('&') },
    { name: 'form with bad percent-encoding', headers: { 'Content-Type': FORM }, body: 'grant_type=%E0%A4%A&token=%' },
    { name: 'JSON with __proto__', headers: { 'Content-Type': JSON_T }, body: '{"__proto__":{"engaged":true},"constructor":{"prototype":{}}}' },
  ];
}

async function send(path: string, k: Case, extra: Record<string, string> = {}): Promise<{ status: number; text: string; type: string }> {
  const r = await fetch(`${c.origin}${path}`, { method: 'POST', headers: { ...k.headers, ...extra }, body: typeof k.body === 'string' ? k.body : new Uint8Array(k.body) });
  return { status: r.status, text: await r.text(), type: r.headers.get('content-type') ?? '' };
}

function noStack(text: string, where: string): void {
  assert.doesNotMatch(text, /\n\s+at |node:internal|\.ts:\d+|Error:/, `${where}: no stack trace or internal error text`);
}

for (const path of ['/token', '/revoke', '/authorize', '/register']) {
  test(`OAuth ${path}: every malformed body gets a 4xx with OAuth error JSON, never a 500`, async () => {
    for (const k of cases(path !== '/register')) {
      const where = `${path} ${k.name}`;
      const r = await send(path, k, { Accept: 'application/json' });
      assert.ok(r.status >= 400 && r.status < 500, `${where}: ${r.status} ${r.text.slice(0, 200)}`);
      assert.match(r.type, /^application\/json/, where);
      const body = JSON.parse(r.text) as { error?: unknown; error_description?: unknown };
      assert.equal(typeof body.error, 'string', `${where}: ${r.text}`);
      assert.ok(['invalid_request', 'invalid_client', 'invalid_grant', 'unsupported_grant_type', 'invalid_client_metadata', 'invalid_redirect_uri'].includes(body.error as string), `${where}: ${r.text}`);
      noStack(r.text, where);
    }
  });
}

test('OAuth: an unsupported charset or Content-Encoding is 415 invalid_request at /token, /revoke and POST /authorize', async () => {
  for (const path of ['/token', '/revoke', '/authorize']) {
    for (const k of cases(true).filter((x) => ['unknown charset', 'gzip', 'br', 'unknown encoding'].includes(x.name))) {
      const r = await send(path, k, { Accept: 'application/json' });
      assert.equal(r.status, 415, `${path} ${k.name}: ${r.text}`);
      assert.equal((JSON.parse(r.text) as { error: string }).error, 'invalid_request');
    }
  }
});

for (const path of ['/kill-switch', '/consents/con_x/approve', '/confirmations/cf_x/deny', '/clients/abc/revoke']) {
  test(`control API ${path}: every malformed body gets a 4xx with { error, message }, never a 500`, async () => {
    for (const k of cases(false)) {
      const where = `${path} ${k.name}`;
      const r = await send(`/control/v1${path}`, k, { Authorization: `Bearer ${c.controlToken}` });
      assert.ok(r.status >= 400 && r.status < 500, `${where}: ${r.status} ${r.text.slice(0, 200)}`);
      const body = JSON.parse(r.text) as { error?: unknown; message?: unknown };
      assert.equal(typeof body.error, 'string', `${where}: ${r.text}`);
      assert.equal(typeof body.message, 'string', `${where}: ${r.text}`);
      noStack(r.text, where);
    }
    assert.equal(c.trading.killSwitch().engaged, false, 'no malformed body engaged the kill switch');
  });
}

test('/mcp: every malformed body gets a 4xx JSON-RPC error, never a 500', async () => {
  for (const k of cases(false)) {
    const where = `/mcp ${k.name}`;
    const r = await send('/mcp', k, mcpHeaders);
    assert.ok(r.status >= 400 && r.status < 500, `${where}: ${r.status} ${r.text.slice(0, 200)}`);
    const body = JSON.parse(r.text) as { jsonrpc?: unknown; error?: { code?: unknown; message?: unknown } };
    assert.equal(body.jsonrpc, '2.0', `${where}: ${r.text}`);
    assert.equal(typeof body.error?.code, 'number', `${where}: ${r.text}`);
    assert.equal(typeof body.error?.message, 'string', `${where}: ${r.text}`);
    noStack(r.text, where);
  }
  // The session still works.
  const ok = await mcpPost(c.origin, mcpHeaders.Authorization!.slice(7), { jsonrpc: '2.0', id: 9, method: 'tools/list' }, mcpHeaders);
  assert.equal(ok.status, 200);
});
