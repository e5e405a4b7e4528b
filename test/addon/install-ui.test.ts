// The dashboard's "Install NinjaTrader add-on" in real Chromium against a real companion in add-on
// mode, with a temp Documents folder: it asks in the page first, installs, shows what it did; it
// shows the refusal sentence when NinjaTrader 8 is missing; the link card names the NinjaTrader
// and add-on versions once an add-on is connected.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { addonSourceFiles, addonTargetFolder } from '../../src/addon/install.ts';
import { startSimulatorAddon, type SimulatorAddon } from '../../src/simulator/addon.ts';
import { startTestCompanion, type TestCompanion } from '../helpers/companion.ts';
import { ensureRendererBuilt, launchBrowser, openDashboard, shot } from '../ui/browser.ts';

let c: TestCompanion;
let browser: Browser;
let docs: string;
let addon: SimulatorAddon | null = null;
before(async () => {
  await ensureRendererBuilt();
  docs = mkdtempSync(join(tmpdir(), 'ntmcp-docs-'));
  c = await startTestCompanion({ link: 'addon', pairingFile: join(docs, 'pairing.json'), addonInstall: { documentsDir: docs } });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await addon?.close();
  await c?.cleanup();
  rmSync(docs, { recursive: true, force: true });
});

test('without NinjaTrader 8: the question warns, and Install shows the refusal sentence; nothing is written', async () => {
  const { page, context, errors } = await openDashboard(browser, c);
  assert.match(await page.getByTestId('addon-connected').innerText(), /not connected/);
  await page.getByTestId('addon-install-open').click();
  await page.getByTestId('addon-install-confirm').waitFor();
  await page.getByTestId('addon-install-no-nt8').waitFor();
  await page.getByTestId('addon-install-go').click();
  const err = await page.getByTestId('addon-install-error').innerText();
  assert.match(err, /^NinjaTrader 8 is not installed for this user/);
  assert.ok(!existsSync(join(docs, 'NinjaTrader 8')));
  assert.deepEqual(errors.filter((e) => !/409/.test(e)), []);
  await context.close();
});

test('Install asks first (Cancel writes nothing), then copies the add-on and says to compile with F5', async () => {
  mkdirSync(join(docs, 'NinjaTrader 8'), { recursive: true });
  const { page, context, errors } = await openDashboard(browser, c);
  const target = addonTargetFolder(docs);

  await page.getByTestId('addon-install-open').click();
  await page.getByTestId('addon-install-confirm').waitFor();
  assert.equal(await page.getByTestId('addon-install-target').innerText(), target);
  assert.equal(await page.getByTestId('addon-install-no-nt8').count(), 0);
  await page.getByTestId('addon-install-cancel').click();
  assert.equal(await page.getByTestId('addon-install-confirm').count(), 0);
  assert.ok(!existsSync(target), 'Cancel wrote nothing');

  await page.getByTestId('addon-install-open').click();
  await page.getByTestId('addon-install-go').click();
  const result = await page.getByTestId('addon-install-result').innerText();
  assert.match(result, /Installed the NinjaTrader add-on into/);
  assert.match(result, /compile with F5 in the NinjaScript Editor or restart NinjaTrader/);
  for (const f of addonSourceFiles()) assert.deepEqual(readFileSync(join(target, ...f.rel.split('/'))), readFileSync(f.abs));
  await shot(page, 'addon-installed');
  assert.deepEqual(errors, []);
  await context.close();
});

test('with the add-on connected, the link card reads "Connected to NinjaTrader <nt8> (add-on x.y)" with its accounts', async () => {
  const { page, context } = await openDashboard(browser, c);
  assert.equal(await page.getByTestId('link-status').innerText(), 'Waiting for the add-on');
  addon = startSimulatorAddon({ url: `ws://127.0.0.1:${c.urls.port}/addon`, secret: c.pairingSecret, nt8Version: '8.1.4.1', quoteIntervalMs: 0, now: c.clock.now });
  await addon.connected;
  await page.getByTestId('link-accounts').filter({ hasText: 'Sim101' }).waitFor();
  const headline = await page.getByTestId('link-status').innerText();
  assert.match(headline, /^Connected to NinjaTrader 8\.1\.4\.1 \(add-on [\w.-]+\)$/);
  assert.match(await page.getByTestId('addon-connected').innerText(), /The add-on is connected \(add-on \d/);
  await context.close();
});
