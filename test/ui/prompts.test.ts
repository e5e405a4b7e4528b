// Acceptance in real Chromium (issue 9, findings 6 and 7): a flooding client's prompts are denied in
// one click ("Deny all from this client") and the real client's prompt comes next; a name with a
// right-to-left override cannot mirror the "not verified" label; a custom-scheme redirect is shown
// as the scheme; a 100-character unbroken name cannot push the Revoke button out of a 1280 px window.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { PendingConsent } from '../../src/control/contract.ts';
import { pkcePair, registerClient, startTestCompanion, type TestCompanion } from '../helpers/companion.ts';
import { ensureRendererBuilt, launchBrowser, openDashboard, shot, until, type Dashboard } from './browser.ts';

let c: TestCompanion;
let browser: Browser;
let dash: Dashboard;
let page: Page;

before(async () => {
  await ensureRendererBuilt();
  c = await startTestCompanion({ registrationLimit: { max: 1000, windowMs: 60_000 } });
  browser = await launchBrowser();
  dash = await openDashboard(browser, c);
  page = dash.page;
});
after(async () => {
  await browser?.close();
  await c?.cleanup();
});

const pending = async () => (await c.controlJson<{ consents: PendingConsent[] }>('/consents')).consents;

/** True when the label starts after the name ends, in reading order (same line to its right, or a later line). */
const labelAfterName = (p: Page) =>
  p.evaluate(() => {
    const rs = document.querySelector('[data-testid="consent-client-name"]')!.getClientRects();
    const n = rs[rs.length - 1]!;
    const l = document.querySelector('[data-testid="consent-unverified"]')!.getClientRects()[0]!;
    return l.top >= n.bottom - 1 || (Math.abs(l.top - n.top) < n.height && l.left >= n.right - 1);
  });

async function authorize(clientId: string, redirectUri: string, scope = 'mcp:read'): Promise<void> {
  const u = new URL(`${c.origin}/authorize`);
  u.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    scope,
  }).toString();
  const r = await fetch(u, { redirect: 'manual' });
  assert.equal(r.status, 303);
}

test('a flood is capped; "Deny all from this client" clears it in one click and the real client is asked next', async () => {
  const flood = await registerClient(c.origin, { client_name: 'Flooder', redirect_uris: ['http://127.0.0.1/callback'] });
  for (let i = 0; i < 60; i += 20) {
    await Promise.all(Array.from({ length: 20 }, (_, j) => authorize(flood.client_id, `http://127.0.0.1:${41000 + i + j}/callback`)));
  }
  const real = await registerClient(c.origin, { client_name: 'Real Client' });
  await authorize(real.client_id, 'http://127.0.0.1:33418/callback');
  await until(async () => ((await pending()).length === 4 ? true : undefined), 'three flood requests and the real one');

  const modal = page.getByTestId('consent-modal');
  await modal.waitFor({ timeout: 10_000 });
  assert.equal(await page.getByTestId('consent-client-name').innerText(), 'Flooder');
  const all = page.getByTestId('consent-deny-all');
  assert.equal(await all.innerText(), 'Deny all 3 from this client');
  await shot(page, 'consent-deny-all');
  await all.click();
  await until(async () => ((await page.getByTestId('consent-client-name').innerText().catch(() => '')) === 'Real Client' ? true : undefined), 'the real client’s prompt');
  assert.deepEqual((await pending()).map((x) => x.clientId), [real.client_id]);
  assert.equal(await page.getByTestId('consent-deny-all').count(), 0, 'a lone request has no "deny all"');
  await page.getByTestId('consent-deny').click();
  await modal.waitFor({ state: 'detached' });
});

test('a right-to-left override cannot mirror the label; a custom-scheme redirect is shown as the scheme', async () => {
  const evil = await registerClient(c.origin, {
    client_name: 'Claude\u202E)deifirev ton — tneilc eht yb nevig eman(',
    redirect_uris: ['evil-app://claude.ai/callback'],
  });
  await authorize(evil.client_id, 'evil-app://claude.ai/callback');
  const modal = page.getByTestId('consent-modal');
  await modal.waitFor({ timeout: 10_000 });
  const name = page.getByTestId('consent-client-name');
  const label = page.getByTestId('consent-unverified');
  assert.ok(!(await name.innerText()).includes('\u202E'), 'the override is gone');
  assert.equal(await label.innerText(), '(name given by the client — not verified)');
  const layout = await page.evaluate(() => {
    const n = document.querySelector('[data-testid="consent-client-name"]')!;
    const l = document.querySelector('[data-testid="consent-unverified"]')!;
    return {
      tag: n.tagName,
      dir: n.getAttribute('dir'),
      bidi: getComputedStyle(n).unicodeBidi,
      labelInsideName: n.contains(l),
    };
  });
  assert.equal(layout.tag, 'BDI');
  assert.equal(layout.dir, 'auto');
  assert.equal(layout.bidi, 'isolate');
  assert.equal(layout.labelInsideName, false, 'our label is outside the client’s text');
  assert.ok(await labelAfterName(page), 'the label follows the name, in reading order');
  const redirect = await page.getByTestId('consent-redirect-host').innerText();
  assert.equal(redirect, 'an app registered as evil-app://');
  assert.doesNotMatch(redirect, /claude\.ai/);
  await shot(page, 'consent-rlo-app-scheme');
  await page.getByTestId('consent-deny').click();
  await modal.waitFor({ state: 'detached' });
});

test('a Hebrew name stays in its own run: the label is still after it', async () => {
  const he = await registerClient(c.origin, { client_name: 'שלום עולם (' });
  await authorize(he.client_id, 'http://127.0.0.1:33418/callback');
  const modal = page.getByTestId('consent-modal');
  await modal.waitFor({ timeout: 10_000 });
  assert.ok(await labelAfterName(page), 'the label follows the right-to-left name');
  await shot(page, 'consent-rtl-name');
  await page.getByTestId('consent-deny').click();
  await modal.waitFor({ state: 'detached' });
});

test('a 100-character unbroken name cannot push Revoke out of a 1280 px window', async () => {
  const long = await registerClient(c.origin, { client_name: 'W'.repeat(100) });
  const short = await registerClient(c.origin, { client_name: 'Short Name' });
  for (const cl of [long, short]) {
    await authorize(cl.client_id, 'http://127.0.0.1:33418/callback');
    const id = (await pending()).find((x) => x.clientId === cl.client_id)!.id;
    await c.controlJson(`/consents/${id}/approve`, { body: { scope: 'mcp:read' } });
  }
  await page.getByTestId('consent-modal').waitFor({ state: 'detached' });
  await page.getByTestId('tab-clients').click();
  const rows = page.getByTestId('client-row');
  await until(async () => ((await rows.count()) === 2 ? true : undefined), 'two client rows');
  const shown = await page.locator(`[data-client-id="${long.client_id}"] [data-testid="client-name"]`).innerText();
  assert.equal([...shown].length, 60, 'capped at 60 characters');
  assert.ok(shown.endsWith('…'));
  const viewport = page.viewportSize()!;
  assert.equal(viewport.width, 1280);
  for (const btn of await page.getByTestId('revoke').all()) {
    const b = (await btn.boundingBox())!;
    assert.ok(b.x >= 0 && b.x + b.width <= viewport.width, `Revoke at x=${b.x}…${b.x + b.width} is inside the 1280 px window`);
  }
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling (${overflow} px)`);
  await shot(page, 'clients-long-name');
});
