#!/usr/bin/env node
// Builds and tests the C# add-on's portable layers under Mono (issue 10):
//   node scripts/addon.mjs build   → build/addon-out/NTMcpProtocol.dll (Protocol alone: the layering holds)
//                                    build/addon-out/NTMcpHarness.exe (Protocol + Gateway + harness)
//                                    build/addon-out/AddonTests.exe  (Protocol + Gateway + tests)
//   node scripts/addon.mjs test    → build, then run the C# unit tests (prints "N passed, M failed")
//   node scripts/addon.mjs check-nt8 → compile the real NinjaTrader layer (addon/NinjaTrader) with Protocol +
//                                    Gateway against addon/stubs/ (exactly the NT8 API surface it uses, plus the
//                                    few WPF types Debian's Mono lacks) → build/addon-out/NTMcpCompanion.Nt8Check.dll,
//                                    never shipped: the stubs are inside it
// Tests import buildHarness() / buildTests() / findMcs() from here. No dependencies.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
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

/** Every .cs file under dir (recursive, sorted); [] when dir does not exist. */
export function sources(dir) {
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

/**
 * Compiles the NT8 layer against the stubs. extraFiles: more .cs files to compile in (a test uses it to
 * prove that a call NT8 does not document fails). Never cached: the answer must come from this compile.
 * Returns { ok, output, dll, files, command }; throws MonoMissingError without mcs.
 */
export function checkNt8(opts = {}) {
  const mcs = findMcs();
  if (!mcs) throw new MonoMissingError(`The C# compiler 'mcs' was not found. ${INSTALL_HINT}`);
  const dll = join(OUT_DIR, opts.outName ?? 'NTMcpCompanion.Nt8Check.dll');
  const files = [...['Protocol', 'Gateway', 'NinjaTrader', 'stubs'].flatMap((d) => sources(join(ADDON, d))), ...(opts.extraFiles ?? [])];
  // What NT8 references for NinjaScript by default that the add-on needs; never System.Web.Extensions.
  const args = ['-langversion:7.2', '-target:library', '-nologo', '-warn:4', `-out:${dll}`, '-r:System.dll', '-r:System.Core.dll', '-r:System.Xml.dll', ...files];
  mkdirSync(OUT_DIR, { recursive: true });
  rmSync(dll, { force: true }); // a stale DLL must never pass for a fresh compile
  const r = spawnSync(mcs, args, { cwd: ROOT, encoding: 'utf8' });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.split(ROOT + '/').join('').trim();
  const command = `mcs ${args.map((a) => (a.startsWith(ROOT) ? a.slice(ROOT.length + 1) : a)).join(' ')}`;
  return { ok: r.status === 0 && existsSync(dll), output, dll, files, command };
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
    if (cmd === 'check-nt8') {
      const r = checkNt8();
      console.log(`NT8 layer compile check: ${r.files.length} files`);
      if (r.output) console.log(r.output);
      console.log(r.ok ? `OK: ${r.dll}` : 'FAILED: the NinjaTrader layer does not compile against the NT8 API stubs.');
      return r.ok ? 0 : 1;
    }
    console.error('Usage: node scripts/addon.mjs build | test | check-nt8');
    return 2;
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    return e instanceof MonoMissingError ? 3 : 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(main(process.argv.slice(2)));
}
