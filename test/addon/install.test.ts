// Shipping the add-on: the zip NT8 imports (npm run build:addon, the real command) and the desktop's
// "Install NinjaTrader add-on" (src/addon/install.ts, through the control API as the dashboard and
// scripts call it). Real files in temp folders; the zip is read back with the same library.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { ADDON_FOLDER, addonSourceFiles, addonTargetFolder, AddonInstallError, installAddon, REPO_ROOT } from '../../src/addon/install.ts';
import { startTestCompanion } from '../helpers/companion.ts';

function buildZip(args: string[]): { out: string; stdout: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'build-addon.mjs'), ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { out: args[args.indexOf('--out') + 1]!, stdout: r.stdout };
}

/** A source tree with every folder addon/ may hold, the ones that must never ship included. */
function fakeSourceTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'ntmcp-addon-src-'));
  const files: Record<string, string> = {
    'Protocol/Json.cs': 'namespace NTMcpCompanion.Protocol { class Json {} }\n',
    'Protocol/Sub/Backoff.cs': 'namespace NTMcpCompanion.Protocol { class Backoff {} }\n',
    'Gateway/Model.cs': 'namespace NTMcpCompanion.Gateway { class Model {} }\n',
    'NinjaTrader/McpCompanionAddOn.cs': 'namespace NinjaTrader.NinjaScript.AddOns { class A {} }\n',
    'NinjaTrader/notes.txt': 'not C#',
    'stubs/NinjaTrader.Cbi.cs': 'STUB',
    'harness/Program.cs': 'HARNESS',
    'tests/ProtocolTests.cs': 'TESTS',
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, 'addon', rel, '..'), { recursive: true });
    writeFileSync(join(root, 'addon', rel), text);
  }
  return root;
}

test('npm run build:addon: Info.xml as NT8 exports it, the shipped .cs files under AddOns\\NTMcpCompanion\\, nothing from stubs/harness/tests, same bytes back', () => {
  const root = fakeSourceTree();
  const outDir = mkdtempSync(join(tmpdir(), 'ntmcp-addon-zip-'));
  try {
    const { out, stdout } = buildZip(['--root', root, '--out', join(outDir, 'NTMcpCompanionAddOn.zip')]);
    assert.match(stdout, /Tools → Import → NinjaScript Add-On/);
    const entries = unzipSync(readFileSync(out));
    assert.deepEqual(Object.keys(entries).sort(), [
      'AddOns\\NTMcpCompanion\\Gateway\\Model.cs',
      'AddOns\\NTMcpCompanion\\NinjaTrader\\McpCompanionAddOn.cs',
      'AddOns\\NTMcpCompanion\\Protocol\\Json.cs',
      'AddOns\\NTMcpCompanion\\Protocol\\Sub\\Backoff.cs',
      'Info.xml',
    ]);
    const info = new TextDecoder().decode(entries['Info.xml']);
    assert.match(info, /^<\?xml version="1\.0" encoding="utf-8"\?>\r?\n<NinjaTrader>\s*<Export>\s*<Version>8\.\d+\.\d+\.\d+<\/Version>\s*<\/Export>\s*<\/NinjaTrader>$/);
    for (const [name, data] of Object.entries(entries)) {
      if (name === 'Info.xml') continue;
      const rel = name.split('\\').slice(2).join('/');
      assert.deepEqual(Buffer.from(data), readFileSync(join(root, 'addon', rel)), `${name} unzips to the source's bytes`);
    }
    // The same sources give the same zip (fixed entry times): a rebuild is not a new download.
    const again = buildZip(['--root', root, '--out', join(outDir, 'again.zip')]);
    assert.deepEqual(readFileSync(again.out), readFileSync(out));
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
  }
});

test('npm run build:addon on this repository: every shipped source file is in the zip, byte for byte, and no stub, harness or test is', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'ntmcp-addon-zip-'));
  try {
    const { out } = buildZip(['--out', join(outDir, 'a.zip')]);
    const entries = unzipSync(readFileSync(out));
    const expected = addonSourceFiles().map((f) => ['AddOns', ADDON_FOLDER, ...f.rel.split('/')].join('\\'));
    assert.ok(expected.some((n) => n.includes('\\Gateway\\')), 'the Gateway layer ships');
    assert.deepEqual(Object.keys(entries).sort(), [...expected, 'Info.xml'].sort());
    for (const name of Object.keys(entries)) assert.doesNotMatch(name, /\\(stubs|harness|tests)\\/i, name);
    for (const f of addonSourceFiles()) assert.deepEqual(Buffer.from(entries[['AddOns', ADDON_FOLDER, ...f.rel.split('/')].join('\\')]!), readFileSync(f.abs));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});

test('install: refuses with one clear sentence when NinjaTrader 8 has no user folder, and creates nothing', async () => {
  const docs = mkdtempSync(join(tmpdir(), 'ntmcp-docs-'));
  try {
    await assert.rejects(installAddon({ documentsDir: docs }), (e: unknown) => {
      assert.ok(e instanceof AddonInstallError);
      assert.equal(e.code, 'nt8_not_installed');
      assert.match(e.message, /^NinjaTrader 8 is not installed for this user: there is no ".*NinjaTrader 8" folder\./);
      return true;
    });
    assert.deepEqual(readdirSync(docs), [], 'no NinjaTrader 8 folder was made up');
  } finally {
    rmSync(docs, { recursive: true, force: true });
  }
});

test('install: copies the shipped files into Documents/NinjaTrader 8/bin/Custom/AddOns/NTMcpCompanion, says to compile, updates in place, removes only its own stale .cs files', async () => {
  const root = fakeSourceTree();
  const docs = mkdtempSync(join(tmpdir(), 'ntmcp-docs-'));
  try {
    mkdirSync(join(docs, 'NinjaTrader 8', 'bin', 'Custom', 'AddOns'), { recursive: true });
    // Someone else's add-on next to ours is never touched.
    writeFileSync(join(docs, 'NinjaTrader 8', 'bin', 'Custom', 'AddOns', 'Other.cs'), 'theirs');
    const target = addonTargetFolder(docs);
    assert.equal(target, join(docs, 'NinjaTrader 8', 'bin', 'Custom', 'AddOns', 'NTMcpCompanion'));

    const first = await installAddon({ documentsDir: docs, sourceRoot: root });
    assert.equal(first.target, target);
    assert.deepEqual(first.written, ['Gateway/Model.cs', 'NinjaTrader/McpCompanionAddOn.cs', 'Protocol/Json.cs', 'Protocol/Sub/Backoff.cs']);
    assert.match(first.message, /4 file\(s\) written/);
    assert.match(first.message, /compile with F5 in the NinjaScript Editor or restart NinjaTrader/);
    for (const rel of first.written) assert.equal(readFileSync(join(target, rel), 'utf8'), readFileSync(join(root, 'addon', rel), 'utf8'));
    assert.ok(!existsSync(join(target, 'stubs')) && !existsSync(join(target, 'harness')) && !existsSync(join(target, 'tests')));
    assert.ok(!existsSync(join(target, 'NinjaTrader', 'notes.txt')), 'only .cs files ship');

    // Again: nothing to write, and it says so (still naming the next step).
    const second = await installAddon({ documentsDir: docs, sourceRoot: root });
    assert.deepEqual(second.written, []);
    assert.equal(second.unchanged.length, 4);
    assert.match(second.message, /already up to date/);
    assert.match(second.message, /F5/);

    // A newer companion: one file changed, one gone (NT8 would still compile the old one).
    writeFileSync(join(root, 'addon', 'Protocol', 'Json.cs'), 'namespace NTMcpCompanion.Protocol { class Json { int v2; } }\n');
    rmSync(join(root, 'addon', 'Protocol', 'Sub'), { recursive: true });
    writeFileSync(join(target, 'readme.txt'), 'a note the person left');
    const third = await installAddon({ documentsDir: docs, sourceRoot: root });
    assert.deepEqual(third.written, ['Protocol/Json.cs']);
    assert.deepEqual(third.removed, ['Protocol/Sub/Backoff.cs']);
    assert.match(readFileSync(join(target, 'Protocol', 'Json.cs'), 'utf8'), /v2/);
    assert.ok(!existsSync(join(target, 'Protocol', 'Sub', 'Backoff.cs')));
    assert.equal(readFileSync(join(target, 'readme.txt'), 'utf8'), 'a note the person left');
    assert.equal(readFileSync(join(docs, 'NinjaTrader 8', 'bin', 'Custom', 'AddOns', 'Other.cs'), 'utf8'), 'theirs');
    // Written through a temp name and a rename: none is left behind.
    const leftovers: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.tmp') && leftovers.push(e.name);
    };
    walk(target);
    assert.deepEqual(leftovers, []);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(docs, { recursive: true, force: true });
  }
});

test('control API: POST /addon/install installs with the control token, is refused without it, validates its body, and says when NT8 is missing', async () => {
  const docs = mkdtempSync(join(tmpdir(), 'ntmcp-docs-'));
  const c = await startTestCompanion({ addonInstall: { documentsDir: docs } });
  try {
    // No NT8 folder yet: the plan says so, the install refuses with the sentence.
    const plan0 = await c.controlJson<{ nt8Found: boolean; target: string; files: string[] }>('/addon/install');
    assert.equal(plan0.nt8Found, false);
    assert.equal(plan0.target, addonTargetFolder(docs));
    const refused = await c.control('/addon/install', { body: {} });
    assert.equal(refused.status, 409);
    const rb = (await refused.json()) as { error: string; message: string };
    assert.equal(rb.error, 'nt8_not_installed');
    assert.match(rb.message, /^NinjaTrader 8 is not installed for this user/);

    mkdirSync(join(docs, 'NinjaTrader 8'), { recursive: true });
    // Nobody without the token or a dashboard session can write into the NinjaTrader folder.
    assert.equal((await c.control('/addon/install', { body: {}, token: null })).status, 401);
    assert.equal((await c.control('/addon/install', { body: {}, token: 'x'.repeat(43) })).status, 401);
    assert.ok(!existsSync(addonTargetFolder(docs)));
    // Only an empty object: no path can be smuggled in.
    const bad = await c.control('/addon/install', { body: { target: '/etc' } });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: string }).error, 'invalid_request');

    const r = await c.controlJson<{ target: string; written: string[]; message: string }>('/addon/install', { body: {} });
    assert.equal(r.target, addonTargetFolder(docs));
    assert.deepEqual(r.written, addonSourceFiles().map((f) => f.rel));
    assert.match(r.message, /F5/);
    for (const f of addonSourceFiles()) assert.deepEqual(readFileSync(join(r.target, ...f.rel.split('/'))), readFileSync(f.abs));
    const audit = await c.controlJson<{ rows: { event: string; outcome: string }[] }>('/audit?limit=20');
    assert.ok(audit.rows.some((x) => x.event === 'addon.install' && x.outcome === 'ok'));
    assert.ok(audit.rows.some((x) => x.event === 'addon.install' && x.outcome === 'refused'));
  } finally {
    await c.cleanup();
    rmSync(docs, { recursive: true, force: true });
  }
});
