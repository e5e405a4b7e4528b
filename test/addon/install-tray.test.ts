// The desktop tray's "Install NinjaTrader add-on…" (electron/shell.ts with `electron` faked, the
// real core): a native question first, Cancel writes nothing, Install calls the same core function
// as the dashboard and shows its result; a missing NinjaTrader 8 is an error box with the sentence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCompanion } from '../../src/companion.ts';
import { addonSourceFiles, addonTargetFolder } from '../../src/addon/install.ts';
import { createShell } from '../../electron/shell.ts';
import { fakeElectron, FakeTray, until, type FakeImage } from '../electron/fakes.ts';

test('tray → Install NinjaTrader add-on…: asks natively, Cancel writes nothing, Install copies and reports; no NT8 → error box', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ntmcp-tray-'));
  const docs = mkdtempSync(join(tmpdir(), 'ntmcp-docs-'));
  const electron = fakeElectron();
  const shell = createShell<FakeImage>({
    electron,
    startCompanion,
    companionOptions: { dataDir, port: 0, link: 'simulator', quoteIntervalMs: 50, addonInstall: { documentsDir: docs } },
    preloadPath: '/app/dist-electron/preload.cjs',
    iconDirs: [],
    platform: 'linux',
    log: () => {},
  });
  try {
    assert.equal(await shell.start(), 'started');
    const tray = FakeTray.instances[0]!;
    const target = addonTargetFolder(docs);

    // No NinjaTrader 8 folder: the question says so; Install ends in an error box with the sentence.
    tray.click('Install NinjaTrader add-on');
    await until(() => electron.dialog.boxes.length === 2, 'two message boxes');
    assert.equal(electron.dialog.boxes[0]!.type, 'question');
    assert.match(electron.dialog.boxes[0]!.detail ?? '', /not found for this user/);
    assert.equal(electron.dialog.boxes[1]!.type, 'error');
    assert.match(electron.dialog.boxes[1]!.detail ?? '', /^NinjaTrader 8 is not installed for this user/);
    assert.ok(!existsSync(join(docs, 'NinjaTrader 8')));

    mkdirSync(join(docs, 'NinjaTrader 8'));
    electron.dialog.boxes.length = 0;
    electron.dialog.answers.push(1); // Cancel
    tray.click('Install NinjaTrader add-on');
    await until(() => electron.dialog.boxes.length === 1, 'the question');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(electron.dialog.boxes.length, 1, 'nothing after Cancel');
    assert.ok(!existsSync(target), 'Cancel wrote nothing');
    assert.match(electron.dialog.boxes[0]!.detail ?? '', new RegExp(`files go to ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

    electron.dialog.boxes.length = 0;
    tray.click('Install NinjaTrader add-on');
    await until(() => electron.dialog.boxes.length === 2, 'question and result');
    assert.equal(electron.dialog.boxes[1]!.type, 'info');
    assert.match(electron.dialog.boxes[1]!.detail ?? '', /compile with F5 in the NinjaScript Editor or restart NinjaTrader/);
    for (const f of addonSourceFiles()) assert.deepEqual(readFileSync(join(target, ...f.rel.split('/'))), readFileSync(f.abs));
    assert.ok(shell.companion!.audit.page({ limit: 10 }).rows.some((r) => r.event === 'addon.install' && r.outcome === 'ok'));
  } finally {
    shell.quit();
    await shell.stopped;
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(docs, { recursive: true, force: true });
  }
});
