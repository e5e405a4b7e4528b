#!/usr/bin/env node
// `npm run dist`: package the desktop app with electron-builder (electron-builder.yml):
// an NSIS per-user installer on Windows, an AppImage on Linux. Extra arguments go to
// electron-builder (`npm run dist -- --win`, `-- --linux`, `-- --dir` for an unpacked folder).
//
// Needs network access to Electron's downloads (the Electron zip, and Electron's headers to
// rebuild better-sqlite3): it cannot run on the development machines here. See docs/desktop.md.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT, buildRenderer, bundle, ensureIcons } from './desktop.mjs';

const require = createRequire(join(ROOT, 'package.json'));

function builderCli() {
  try {
    const dir = dirname(require.resolve('electron-builder/package.json'));
    const bin = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).bin;
    const rel = typeof bin === 'string' ? bin : bin['electron-builder'];
    return join(dir, rel);
  } catch {
    return null;
  }
}

const cli = builderCli();
if (!cli || !existsSync(cli)) {
  console.error('dist: electron-builder is not installed (add it to devDependencies and run npm ci).');
  process.exit(1);
}

/**
 * electron-builder's npmRebuild rebuilds better-sqlite3 IN PLACE in node_modules for Electron's
 * ABI (and deletes the old build first, even when the rebuild then fails). Afterwards `npm start`
 * and `npm test` under plain Node could no longer load it. Keep a copy of the Node build and put
 * it back whatever happens.
 */
function protectNodeBuild() {
  let build;
  try {
    build = join(dirname(require.resolve('better-sqlite3/package.json')), 'build');
  } catch {
    return () => undefined;
  }
  if (!existsSync(build)) return () => undefined;
  const keep = mkdtempSync(join(tmpdir(), 'ntmcp-sqlite-build-'));
  cpSync(build, keep, { recursive: true });
  return () => {
    rmSync(build, { recursive: true, force: true });
    cpSync(keep, build, { recursive: true });
    rmSync(keep, { recursive: true, force: true });
    console.log('dist: restored the Node build of better-sqlite3 in node_modules');
  };
}

await ensureIcons();
buildRenderer({ force: true });
await bundle({ production: true });
console.log('dist: running electron-builder');
const restore = protectNodeBuild();
let status;
try {
  const r = spawnSync(process.execPath, [cli, '--config', 'electron-builder.yml', '--publish', 'never', ...process.argv.slice(2)], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  status = r.status ?? 1;
} finally {
  restore();
}
process.exit(status);
