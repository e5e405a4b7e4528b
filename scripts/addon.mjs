#!/usr/bin/env node
// Builds and tests the C# add-on's portable layers under Mono (issue 10):
//   node scripts/addon.mjs build   → build/addon-out/NTMcpProtocol.dll (Protocol alone: the layering holds)
//                                    build/addon-out/NTMcpHarness.exe (Protocol + Gateway + harness)
//                                    build/addon-out/AddonTests.exe  (Protocol + Gateway + tests)
//   node scripts/addon.mjs test    → build, then run the C# unit tests (prints "N passed, M failed")
// Tests import buildHarness() / buildTests() / findMcs() from here. No dependencies.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OUT_DIR = join(ROOT, 'build', 'addon-out');
const ADDON = join(ROOT, 'addon');
const INSTALL_HINT = 'Install Mono first: apt-get install mono-mcs mono-runtime (Debian/Ubuntu), then run this again.';

export class MonoMissingError extends Error {}

function which(cmd) {
  const r = spawnSync(process.platform === 'win32' ? 'where' : 'sh', process.platform === 'win32' ? [cmd] : ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split(/\r?\n/)[0] : null;
}

/** Path of mcs, or null when Mono's compiler is not installed. */
export function findMcs() {
  return which('mcs');
}

/** Path of mono, or null. */
export function findMono() {
  return which('mono');
}

function sources(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (name.endsWith('.cs')) out.push(p);
  }
  return out;
}

function compile(outName, dirs, target = 'exe') {
  const mcs = findMcs();
  if (!mcs) throw new MonoMissingError(`The C# compiler 'mcs' was not found. ${INSTALL_HINT}`);
  mkdirSync(OUT_DIR, { recursive: true });
  const out = join(OUT_DIR, outName);
  const files = dirs.flatMap((d) => sources(join(ADDON, d)));
  // Up to date: nothing to do (test files running in parallel all ask for the harness).
  const newest = Math.max(statSync(fileURLToPath(import.meta.url)).mtimeMs, ...files.map((f) => statSync(f).mtimeMs));
  if (existsSync(out) && statSync(out).mtimeMs >= newest) return out;
  // Compile to a private name, then rename: a parallel build never sees (or runs) a half-written exe.
  const tmp = `${out}.${process.pid}.${Date.now()}.tmp`;
  const args = ['-langversion:7.2', `-target:${target}`, '-warnaserror+', `-out:${tmp}`, '-r:System.dll', '-r:System.Core.dll', ...files];
  const r = spawnSync(mcs, args, { encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`mcs failed to compile ${outName} (exit ${r.status}):\n${(r.stdout ?? '') + (r.stderr ?? '')}`);
  }
  renameSync(tmp, out);
  return out;
}

/**
 * Compiles Protocol/ on its own into a library: proof that the protocol layer needs no Gateway and no
 * NinjaTrader type (issue 10's layering). Returns the dll path.
 */
export function buildProtocolOnly() {
  return compile('NTMcpProtocol.dll', ['Protocol'], 'library');
}

/** Compiles Protocol + Gateway + harness; returns the path of NTMcpHarness.exe. */
export function buildHarness() {
  return compile('NTMcpHarness.exe', ['Protocol', 'Gateway', 'harness']);
}

/** Compiles Protocol + Gateway + tests; returns the path of AddonTests.exe. */
export function buildTests() {
  return compile('AddonTests.exe', ['Protocol', 'Gateway', 'tests']);
}

/** Builds and runs the unit tests; returns { status, output }. */
export function runTests() {
  buildProtocolOnly();
  const exe = buildTests();
  const mono = findMono();
  if (!mono) throw new MonoMissingError(`The Mono runtime 'mono' was not found. ${INSTALL_HINT}`);
  const r = spawnSync(mono, [exe], { encoding: 'utf8', cwd: ROOT, timeout: 300_000 });
  return { status: r.status ?? 1, output: (r.stdout ?? '') + (r.stderr ?? '') };
}

function main(argv) {
  const cmd = argv[0];
  try {
    if (cmd === 'build') {
      console.log(buildProtocolOnly());
      console.log(buildHarness());
      console.log(buildTests());
      return 0;
    }
    if (cmd === 'test') {
      const { status, output } = runTests();
      process.stdout.write(output);
      return status;
    }
    console.error('Usage: node scripts/addon.mjs build | test');
    return 2;
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    return e instanceof MonoMissingError ? 3 : 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(main(process.argv.slice(2)));
}
