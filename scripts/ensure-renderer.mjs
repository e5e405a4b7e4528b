#!/usr/bin/env node
// Builds the dashboard (renderer/dist) when it is missing or older than its sources, so that
// `npm start` and `npm test` always serve the current UI without rebuilding it every time.
// Safe when several processes call it at once (a directory lock).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RENDERER = join(ROOT, 'renderer');
const DIST_INDEX = join(RENDERER, 'dist', 'index.html');

function newestSource() {
  let newest = 0;
  const walk = (p) => {
    const st = statSync(p);
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
    else newest = Math.max(newest, st.mtimeMs);
  };
  walk(join(RENDERER, 'src'));
  for (const f of ['index.html', 'vite.config.ts', 'public']) walk(join(RENDERER, f));
  walk(join(ROOT, 'src', 'control', 'contract.ts'));
  return newest;
}

const fresh = () => existsSync(DIST_INDEX) && statSync(DIST_INDEX).mtimeMs >= newestSource();

async function main() {
  if (fresh()) return;
  const lock = join(RENDERER, '.build-lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const st = statSync(lock, { throwIfNoEntry: false });
      if (st && Date.now() - st.mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
      if (fresh()) return;
    }
  }
  try {
    if (fresh()) return;
    if (!process.argv.includes('--quiet')) console.error('Building the dashboard (renderer/dist)…');
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(RENDERER, 'vite.config.ts'), '--logLevel', 'warn'], {
      cwd: ROOT,
      // NODE_ENV=test (set by the test runner) would make Vite bundle React's development build.
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (!fresh()) throw new Error('the renderer build did not produce renderer/dist/index.html');
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`ensure-renderer: ${e.message}`);
  process.exit(1);
});
