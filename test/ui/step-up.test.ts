// Acceptance in real Chromium: a read client's step-up to trade appears as an *upgrade* of the
// existing client (current → requested scope), the person allows it in the page, and the Clients
// view shows one client with read + trade. A Client ID Metadata Document client is shown with its
// verified host, distinct from a registered client's self-declared name.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import type { AuthorizedClient } from '../../src/control/contract.ts';
import { browse, pkcePair, startTestCompanion, type TestCompanion } from '../helpers/companion.ts';
import { json, makeTestPki, startDocServer, type DocServer, type TestPki } from '../helpers/tls.ts';
import { connectWithOAuth, HeadlessProvider, type ConnectedClient } from '../helpers/sdk-client.ts';
import { ensureRendererBuilt, launchBrowser, openDashboard, shot, type Dashboard } from './browser.ts';

let c: TestCompanion;
let browser: Browser;
let dash: Dashboard;
let page: Page;
let conn: ConnectedClient | undefined;
let pki: TestPki;
let docs: DocServer;

before(async () => {
  await ensureRendererBuilt();
  pki = makeTestPki();
  docs = await startDocServer(pki);
  c = await startTestCompanion({ cimd: { allowLoopback: true, ca: pki.ca } });
  browser = await launchBrowser();
  dash = await openDashboard(browser, c);
  page = dash.page;
});
after(async () => {
  await conn?.close().catch(() => {});
  await browser?.close();
  await c?.cleanup();
  await docs?.close();
  pki?.cleanup();
});

const armed = (p: Page, id: string) => p.waitForFunction((tid) => (document.querySelector(`[data-testid="${tid}"]`) as HTMLButtonElement | null)?.disabled === false, id);

test('the upgrade prompt says "upgrade", shows read → trade; after Allow the Clients view has one client with trade', async () => {
  const provider = new HeadlessProvider('http://127.0.0.1:9933/cb', 'Upgrade Bot');
  conn = await connectWithOAuth(
    c.mcpUrl,
    async () => {
      await page.getByTestId('consent-modal').waitFor({ timeout: 10_000 });
      assert.doesNotMatch(await page.locator('#consent-title').innerText(), /upgrade/i, 'a first authorization is not an upgrade');
      assert.equal(await page.getByTestId('consent-upgrade').count(), 0);
      await page.getByTestId('consent-account-Sim102').uncheck();
      await armed(page, 'consent-allow');
      await page.getByTestId('consent-allow').click();
      await page.getByTestId('consent-modal').waitFor({ state: 'detached' });
    },
    provider,
  );
  await conn.client.listTools();

  const asked = await conn.client.callTool({ name: 'cancel_all_orders', arguments: { account: 'Sim101' } }).then(
    () => assert.fail('a read token must not cancel orders'),
    (e: unknown) => e,
  );
  assert.ok(asked instanceof UnauthorizedError, String(asked));
  const back = await browse(provider.authorizationUrl!.href, async () => {
    const modal = page.getByTestId('consent-modal');
    await modal.waitFor({ timeout: 10_000 });
    assert.match(await page.locator('#consent-title').innerText(), /upgrade/i);
    const note = await page.getByTestId('consent-upgrade').innerText();
    assert.match(note, /Upgrade of an existing client/);
    assert.match(note, /Read only.*Sim101.*Read \+ trade/s, 'current scope and accounts → requested scope');
    assert.ok(await page.getByTestId('consent-scope-trade').isChecked(), 'defaults to what was asked');
    assert.ok(await page.getByTestId('consent-account-Sim101').isChecked(), 'keeps the accounts chosen before');
    assert.ok(!(await page.getByTestId('consent-account-Sim102').isChecked()));
    await shot(page, 'consent-upgrade');
    await armed(page, 'consent-allow');
    await page.getByTestId('consent-allow').click();
    await modal.waitFor({ state: 'detached' });
  });
  await conn.transport.finishAuth(back.searchParams.get('code')!);
  assert.equal(provider.saved!.scope, 'mcp:read mcp:trade');
  const pending = conn.client.callTool({ name: 'cancel_all_orders', arguments: { account: 'Sim101' } });
  const conf = await c.waitForConfirmation();
  await c.controlJson(`/confirmations/${conf.id}/approve`, { method: 'POST' });
  const res = await pending;
  assert.notEqual(res.isError, true, JSON.stringify(res.content));

  await page.getByTestId('tab-clients').click();
  const rows = page.getByTestId('client-row');
  await rows.filter({ hasText: 'Read + trade' }).waitFor({ timeout: 10_000 });
  assert.equal(await rows.count(), 1, 'one client, not a second one');
  assert.match(await rows.first().innerText(), /Upgrade Bot[\s\S]*Read \+ trade[\s\S]*Sim101/);
  const { clients } = await c.controlJson<{ clients: AuthorizedClient[] }>('/clients');
  assert.deepEqual(clients.map((x) => [x.name, x.scope]), [['Upgrade Bot', 'mcp:read mcp:trade']]);
  assert.deepEqual(dash.errors.filter((e) => /Content Security Policy|Refused/.test(e)), [], 'no CSP violations');
});

test('a metadata-document client: the prompt shows "verified: <host>", not "not verified"', async () => {
  const clientId = `${docs.origin}/desk/client.json`;
  docs.routes.set(
    '/desk/client.json',
    json({ client_id: clientId, client_name: 'Desk App', redirect_uris: ['http://127.0.0.1:9944/cb'], token_endpoint_auth_method: 'none' }),
  );
  const u = new URL(`${c.origin}/authorize`);
  u.search = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: 'http://127.0.0.1:9944/cb', code_challenge: pkcePair().challenge, code_challenge_method: 'S256', scope: 'mcp:read' }).toString();
  const back = await browse(u.href, async () => {
    const modal = page.getByTestId('consent-modal');
    await modal.waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('consent-verified-host').innerText(), `verified: localhost:${docs.port}`);
    assert.equal(await page.getByTestId('consent-client-name').innerText(), 'Desk App');
    assert.doesNotMatch(await modal.innerText(), /not verified/);
    await shot(page, 'consent-cimd');
    await page.getByTestId('consent-deny').click();
    await modal.waitFor({ state: 'detached' });
  });
  assert.equal(back.searchParams.get('error'), 'access_denied');
});
