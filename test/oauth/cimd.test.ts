// Client ID Metadata Documents: the fetch rules (address classes, https only, no redirects, size
// and time caps, caching, validation) against a real local HTTPS server with a throw-away CA, and
// the full flow through an in-process companion (the CA injected; the NODE_EXTRA_CA_CERTS path is
// tested in cimd-process.test.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CimdError, classifyAddress, ClientMetadataFetcher, clientIdUrlProblem } from '../../src/oauth/cimd.ts';
import type { AuthorizedClient, PendingConsent } from '../../src/control/contract.ts';
import { browse, INIT, mcpPost, pkcePair, startTestCompanion, type TestCompanion } from '../helpers/companion.ts';
import { json, makeTestPki, startDocServer, type DocServer, type TestPki } from '../helpers/tls.ts';

let pki: TestPki;
let docs: DocServer;
before(async () => {
  pki = makeTestPki();
  docs = await startDocServer(pki);
});
after(async () => {
  await docs.close();
  pki.cleanup();
});

const doc = (path: string, extra: Record<string, unknown> = {}) => ({
  client_id: `${docs.origin}${path}`,
  client_name: 'Metadata App',
  redirect_uris: ['http://127.0.0.1:7777/callback'],
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  ...extra,
});

async function refused(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof CimdError, `expected CimdError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('fetch rules', () => {
  let clock = 1_000_000;
  const fetcher = (o: { allowLoopback?: boolean; ca?: string | null; timeoutMs?: number } = {}) =>
    new ClientMetadataFetcher({ now: () => clock, allowLoopback: o.allowLoopback ?? true, ca: o.ca === null ? undefined : (o.ca ?? pki.ca), timeoutMs: o.timeoutMs });

  test('address classes: loopback and private ranges are not public', () => {
    for (const a of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1']) assert.equal(classifyAddress(a), 'loopback', a);
    for (const a of ['10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1', '224.0.0.1']) {
      assert.equal(classifyAddress(a), 'private', a);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111']) assert.equal(classifyAddress(a), 'public', a);
  });

  test('client_id URL shape: https, a path, no fragment, credentials or dot segments', () => {
    assert.equal(clientIdUrlProblem('https://app.example.com/client.json'), null);
    assert.match(clientIdUrlProblem('http://app.example.com/client.json')!, /https/);
    assert.match(clientIdUrlProblem('https://app.example.com/')!, /path/);
    assert.match(clientIdUrlProblem('https://app.example.com/c.json#x')!, /fragment/);
    assert.match(clientIdUrlProblem('https://u:p@app.example.com/c.json')!, /credentials/);
    assert.match(clientIdUrlProblem('https://app.example.com/a/../c.json')!, /normalized|dot/);
  });

  test('loopback is refused unless opted in, before any connection is made (name and literal)', async () => {
    docs.routes.set('/lb.json', json(doc('/lb.json')));
    await refused(fetcher({ allowLoopback: false }).resolve(`${docs.origin}/lb.json`), /loopback address/);
    await refused(fetcher({ allowLoopback: false }).resolve(`https://127.0.0.1:${docs.port}/lb.json`), /loopback address/);
    await refused(fetcher().resolve('https://10.0.0.1/c.json'), /private address/);
    assert.equal(docs.hits.get('/lb.json') ?? 0, 0, 'the document server was never contacted');
  });

  test('a valid document is accepted and cached for max-age; no-store is fetched every time', async () => {
    docs.routes.set('/ok.json', json(doc('/ok.json'), { 'Cache-Control': 'public, max-age=60' }));
    const f = fetcher();
    const d = await f.resolve(`${docs.origin}/ok.json`);
    assert.equal(d.host, `localhost:${docs.port}`);
    assert.equal(d.clientName, 'Metadata App');
    assert.deepEqual(d.redirectUris, ['http://127.0.0.1:7777/callback']);
    await f.resolve(`${docs.origin}/ok.json`);
    assert.equal(docs.hits.get('/ok.json'), 1, 'served from the cache');
    clock += 61_000;
    await f.resolve(`${docs.origin}/ok.json`);
    assert.equal(docs.hits.get('/ok.json'), 2, 'fetched again after max-age');

    docs.routes.set('/nostore.json', json(doc('/nostore.json'), { 'Cache-Control': 'no-store' }));
    await f.resolve(`${docs.origin}/nostore.json`);
    await f.resolve(`${docs.origin}/nostore.json`);
    assert.equal(docs.hits.get('/nostore.json'), 2);
  });

  test('redirects are not followed', async () => {
    docs.routes.set('/moved.json', (_q, r) => r.writeHead(302, { Location: `${docs.origin}/ok.json` }).end());
    const before = docs.hits.get('/ok.json') ?? 0;
    await refused(fetcher().resolve(`${docs.origin}/moved.json`), /redirects/);
    assert.equal(docs.hits.get('/ok.json') ?? 0, before);
  });

  test('size, type and time caps', async () => {
    docs.routes.set('/big.json', json(doc('/big.json', { padding: 'x'.repeat(20_000) })));
    await refused(fetcher().resolve(`${docs.origin}/big.json`), /larger than 5120 bytes/);
    docs.routes.set('/chunked.json', (_q, r) => {
      r.writeHead(200, { 'Content-Type': 'application/json' });
      for (let i = 0; i < 10; i++) r.write('x'.repeat(1000));
      r.end();
    });
    await refused(fetcher().resolve(`${docs.origin}/chunked.json`), /larger than/);
    docs.routes.set('/html.json', (_q, r) => r.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>'));
    await refused(fetcher().resolve(`${docs.origin}/html.json`), /not JSON/);
    docs.routes.set('/hang.json', () => {
      /* never answers */
    });
    await refused(fetcher({ timeoutMs: 300 }).resolve(`${docs.origin}/hang.json`), /within 300 ms/);
    docs.routes.set('/missing.json', (_q, r) => r.writeHead(404).end());
    await refused(fetcher().resolve(`${docs.origin}/missing.json`), /HTTP 404/);
  });

  test('at most 8 documents in flight; one URL asked twice shares one fetch', async () => {
    const held: (() => void)[] = [];
    for (let i = 0; i < 9; i++) {
      docs.routes.set(`/slow${i}.json`, (_q, r) => held.push(() => json(doc(`/slow${i}.json`))(_q, r)));
    }
    const f = fetcher();
    const first = f.resolve(`${docs.origin}/slow0.json`);
    const again = f.resolve(`${docs.origin}/slow0.json`);
    const rest = [1, 2, 3, 4, 5, 6, 7].map((i) => f.resolve(`${docs.origin}/slow${i}.json`));
    await refused(f.resolve(`${docs.origin}/slow8.json`), /too many/);
    while (held.length < 8) await new Promise((r) => setImmediate(r));
    for (const release of held) release();
    assert.equal((await first).clientId, (await again).clientId);
    await Promise.all(rest);
    assert.equal(docs.hits.get('/slow0.json'), 1);
    assert.equal(docs.hits.get('/slow8.json') ?? 0, 0);
  });

  test('validation: client_id must equal the URL; public clients only; redirect rules; JSON', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['/mismatch.json', doc('/other.json'), /does not equal the URL/],
      ['/secret.json', doc('/secret.json', { client_secret: 'x' }), /client_secret/],
      ['/basic.json', doc('/basic.json', { token_endpoint_auth_method: 'client_secret_basic' }), /not supported/],
      ['/noredirect.json', { ...doc('/noredirect.json'), redirect_uris: [] }, /redirect_uris/],
      ['/js.json', doc('/js.json', { redirect_uris: ['javascript:alert(1)'] }), /forbidden scheme/],
      ['/http.json', doc('/http.json', { redirect_uris: ['http://evil.example/cb'] }), /http on a non-loopback host/],
      ['/implicit.json', doc('/implicit.json', { response_types: ['token'] }), /response_type/],
      ['/bad.json', '{not json', /not valid JSON/],
    ];
    for (const [path, body, pattern] of cases) {
      docs.routes.set(path, json(body));
      await refused(fetcher().resolve(`${docs.origin}${path}`), pattern);
    }
  });

  test('the certificate is verified: a CA the process does not trust is refused', async () => {
    docs.routes.set('/tls.json', json(doc('/tls.json')));
    await refused(fetcher({ ca: null }).resolve(`${docs.origin}/tls.json`), /could not be fetched/);
  });
});

describe('a metadata-document client through the companion', () => {
  let c: TestCompanion;
  before(async () => {
    c = await startTestCompanion({ cimd: { allowLoopback: true, ca: pki.ca } });
  });
  after(async () => {
    await c.cleanup();
  });

  const authorizeUrl = (clientId: string, redirectUri: string, challenge: string) => {
    const u = new URL(`${c.origin}/authorize`);
    u.search = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: 'mcp:read',
      state: 's1',
      resource: c.mcpUrl,
    }).toString();
    return u.href;
  };

  test('metadata advertises client_id_metadata_document_supported', async () => {
    const meta = (await (await fetch(`${c.origin}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    assert.equal(meta.client_id_metadata_document_supported, true);
  });

  test('authorize → consent shows the verified host → token with the URL client_id → tools/list; revoke by URL', async () => {
    const clientId = `${docs.origin}/app/client.json`;
    docs.routes.set('/app/client.json', json(doc('/app/client.json', { client_name: 'app.example.com' })));
    const { verifier, challenge } = pkcePair();
    // RFC 8252 §7.3: the loopback port may differ from the document's.
    const redirectUri = 'http://127.0.0.1:40404/callback';
    let consent: PendingConsent | undefined;
    const back = await browse(authorizeUrl(clientId, redirectUri, challenge), async (id) => {
      consent = await c.waitForConsent();
      assert.equal(consent.id, id);
      await c.controlJson(`/consents/${id}/approve`, { body: { accounts: ['Sim101'] } });
    });
    assert.equal(consent!.clientId, clientId);
    assert.equal(consent!.verifiedHost, `localhost:${docs.port}`, 'the host that served the document');
    assert.equal(consent!.clientName, 'app.example.com', 'the name is still only what the document says');
    const code = back.searchParams.get('code')!;
    assert.ok(code, back.href);
    const tr = await fetch(`${c.origin}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: redirectUri, client_id: clientId, resource: c.mcpUrl }),
    });
    assert.equal(tr.status, 200);
    const tokens = (await tr.json()) as { access_token: string; refresh_token: string };
    const init = await mcpPost(c.origin, tokens.access_token, INIT);
    assert.equal(init.status, 200);
    const list = await mcpPost(c.origin, tokens.access_token, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-06-18' });
    const tools = ((await list.json()) as { result: { tools: { name: string }[] } }).result.tools;
    assert.ok(tools.some((t) => t.name === 'get_status'));

    const { clients } = await c.controlJson<{ clients: AuthorizedClient[] }>('/clients');
    const me = clients.find((x) => x.id === clientId)!;
    assert.equal(me.verifiedHost, `localhost:${docs.port}`);
    await c.controlJson(`/clients/${encodeURIComponent(clientId)}/revoke`, { method: 'POST' });
    assert.equal((await mcpPost(c.origin, tokens.access_token, INIT)).status, 401);
  });

  test('redirect_uris from the document are enforced; fetch failures are a readable page, never a redirect', async () => {
    const clientId = `${docs.origin}/strict/client.json`;
    docs.routes.set('/strict/client.json', json(doc('/strict/client.json')));
    const { challenge } = pkcePair();
    const bad = await fetch(authorizeUrl(clientId, 'http://127.0.0.1:7777/elsewhere', challenge), { redirect: 'manual', headers: { Accept: 'text/html' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get('location'), null);
    assert.match(await bad.text(), /redirect_uri is not registered/);

    // The waiting page names the host that published the document.
    const ok = await fetch(authorizeUrl(clientId, 'http://127.0.0.1:7777/callback', challenge), { redirect: 'manual', headers: { Accept: 'text/html' } });
    assert.equal(ok.status, 303);
    const wait = await fetch(new URL(ok.headers.get('location')!, c.origin), { headers: { Accept: 'text/html' } });
    assert.match(await wait.text(), new RegExp(`client metadata published at <strong>localhost:${docs.port}</strong>`));
    const pending = await c.waitForConsent();
    await c.controlJson(`/consents/${pending.id}/deny`, { method: 'POST' });

    const gone = await fetch(authorizeUrl(`${docs.origin}/nothing-here.json`, 'http://127.0.0.1:7777/callback', challenge), { redirect: 'manual', headers: { Accept: 'text/html' } });
    assert.equal(gone.status, 400);
    assert.equal(gone.headers.get('location'), null);
    assert.match(await gone.text(), /HTTP 404/);
    assert.equal((await c.controlJson<{ consents: unknown[] }>('/consents')).consents.length, 0);
  });
});
