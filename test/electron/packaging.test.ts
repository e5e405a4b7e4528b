// Packaging inputs that can be checked without Electron: the esbuild bundle the app runs from,
// electron-builder.yml and forge.config.ts. (Packaging itself needs Electron downloads.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { APP_ID } from '../../electron/app-id.ts';
import config from '../../forge.config.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

interface DesktopScript {
  bundle(o?: { production?: boolean }): Promise<{ main: string; preload: string }>;
  electronBinary(): { path: string | null; reason: string | null };
}

test('the bundle: ESM main, CJS preload, only runtime-provided imports, source-relative paths kept', async () => {
  const desktop = (await import(pathToFileURL(join(ROOT, 'scripts', 'desktop.mjs')).href)) as DesktopScript;
  const out = await desktop.bundle();
  const main = readFileSync(out.main, 'utf8');
  const preload = readFileSync(out.preload, 'utf8');
  assert.ok(out.preload.endsWith('.cjs'));
  assert.match(preload, /require\("electron"\)/);
  assert.doesNotMatch(preload, /^import /m, 'sandboxed preloads cannot be ES modules');

  // Every import left in main.js is a Node builtin, electron, or a production dependency the
  // package ships in node_modules.
  const specifiers = [...main.matchAll(/^import\s[^'"]*?from\s+"([^"]+)";?$/gm), ...main.matchAll(/^import\s+"([^"]+)";?$/gm)].map((m) => m[1]!);
  assert.ok(specifiers.includes('electron'));
  for (const s of specifiers) {
    const name = s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!;
    assert.ok(s.startsWith('node:') || s === 'electron' || name in pkg.dependencies, `unexpected runtime import ${s}`);
  }
  assert.doesNotMatch(main, /require\("electron"\)|__require\(/, 'no CommonJS require shims in the ESM main');

  // src/ files that locate files via import.meta.url still resolve them from the app root.
  const rewritten = [...main.matchAll(/new URL\("([^"]+)", new URL\("([^"]+)", import\.meta\.url\)\.href\)/g)];
  assert.ok(rewritten.length >= 2, 'dashboard.ts and version.ts were rewritten');
  const bundleUrl = pathToFileURL(out.main).href;
  const resolved = rewritten.map((m) => fileURLToPath(new URL(m[1]!, new URL(m[2]!, bundleUrl))));
  assert.ok(resolved.includes(join(ROOT, 'renderer', 'dist') + '/'), resolved.join(', '));
  assert.ok(resolved.includes(join(ROOT, 'package.json')), resolved.join(', '));
});

test('electron-builder.yml: appId matches the AppUserModelID; NSIS per-user; AppImage; better-sqlite3 unpacked and rebuilt', () => {
  const yml = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8');
  assert.match(yml, new RegExp(`^appId: ${APP_ID.replaceAll('.', '\\.')}\\b`, 'm'));
  assert.match(yml, /^productName: NT MCP Companion$/m);
  assert.match(yml, /^asarUnpack:\n\s+- "\*\*\/node_modules\/better-sqlite3\/\*\*"$/m);
  assert.match(yml, /^npmRebuild: true$/m);
  assert.match(yml, /- target: nsis/);
  assert.match(yml, /^\s+perMachine: false$/m);
  assert.match(yml, /^\s+createDesktopShortcut: always$/m);
  assert.match(yml, /^\s+createStartMenuShortcut: true$/m);
  assert.match(yml, /- target: AppImage/);
  for (const f of ['dist-electron/**/*', 'renderer/dist/**/*', 'package.json']) assert.ok(yml.includes(`- ${f}`), f);
});

test('forge.config.ts: plugin-vite builds main and preload; squirrel + zip; the native addon is unpacked', () => {
  assert.equal(config.packagerConfig.appBundleId, APP_ID);
  assert.match(config.packagerConfig.asar.unpack, /better-sqlite3.*\.node/);
  assert.deepEqual(config.makers.map((m) => m.name), ['@electron-forge/maker-squirrel', '@electron-forge/maker-zip']);
  const vite = config.plugins.find((p) => p.name === '@electron-forge/plugin-vite');
  const builds = (vite?.config.build ?? []) as { entry: string; target: string }[];
  assert.deepEqual(builds.map((b) => [b.entry, b.target]), [['electron/main.ts', 'main'], ['electron/preload.ts', 'preload']]);
  assert.deepEqual(config.rebuildConfig.onlyModules, ['better-sqlite3']);
});
