#!/usr/bin/env node
// Proves the real NinjaTrader 8 layer of the add-on compiles: addon/Protocol + addon/Gateway +
// addon/NinjaTrader, against addon/stubs/ (a compile-only copy of exactly the NT8 API surface the add-on
// uses, plus the few WPF types Debian's Mono lacks), with Mono's `mcs -langversion:7.2` (NT8's NinjaScript
// compiler accepts C# up to 7.3). Output: build/addon-out/NTMcpCompanion.Nt8Check.dll (gitignored; never
// shipped — the stubs are inside it).
//
//   node scripts/addon-nt8-check.mjs        prints the compiler's messages; exit 0 = compiles
//
// addon/stubs/_seam/ holds a stand-in for addon/Gateway/AddonHost.cs; it is left out automatically as
// soon as the real AddonHost.cs exists (then the folder should be deleted).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every .cs file under dir (recursive, sorted); [] when dir does not exist. */
function csFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...csFiles(p));
    else if (name.endsWith('.cs')) out.push(p);
  }
  return out;
}

/**
 * The sources of the NT8 compile check.
 * @param {string} [root]
 * @returns {{ files: string[], seamUsed: boolean }}
 */
export function nt8CheckSources(root = repoRoot) {
  const addon = join(root, 'addon');
  const realHost = existsSync(join(addon, 'Gateway', 'AddonHost.cs'));
  const seam = join(addon, 'stubs', '_seam');
  const stubs = csFiles(join(addon, 'stubs')).filter((f) => realHost ? !f.startsWith(seam + '/') && !f.startsWith(seam + '\\') : true);
  const files = [
    ...csFiles(join(addon, 'Protocol')),
    ...csFiles(join(addon, 'Gateway')),
    ...csFiles(join(addon, 'NinjaTrader')),
    ...stubs,
  ];
  return { files, seamUsed: !realHost && stubs.some((f) => f.startsWith(seam)) };
}

/** Is Mono's C# compiler on PATH? */
export function mcsAvailable(mcs = 'mcs') {
  const r = spawnSync(mcs, ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

/**
 * Compiles the NT8 layer against the stubs.
 * @param {{ root?: string, mcs?: string, extraFiles?: string[], outName?: string }} [opts]
 *   extraFiles: more .cs files to compile in (tests use it to prove a wrong NT8 call fails).
 * @returns {{ available: boolean, ok: boolean, output: string, dll: string, files: string[], seamUsed: boolean, command: string }}
 */
export function checkNt8Addon(opts = {}) {
  const root = opts.root ?? repoRoot;
  const mcs = opts.mcs ?? 'mcs';
  const outDir = join(root, 'build', 'addon-out');
  const dll = join(outDir, opts.outName ?? 'NTMcpCompanion.Nt8Check.dll');
  const { files, seamUsed } = nt8CheckSources(root);
  const all = [...files, ...(opts.extraFiles ?? [])];
  const args = [
    '-langversion:7.2',
    '-target:library',
    '-nologo',
    '-warn:4',
    `-out:${dll}`,
    // What NT8 references for NinjaScript by default that the add-on needs; never System.Web.Extensions.
    '-r:System.dll',
    '-r:System.Core.dll',
    '-r:System.Xml.dll',
    ...all,
  ];
  const command = `${mcs} ${args.map((a) => (a.startsWith(root) ? relative(root, a) : a)).join(' ')}`;
  if (!mcsAvailable(mcs)) {
    return { available: false, ok: false, output: `${mcs} (Mono's C# compiler) is not installed; on Debian: apt-get install -y mono-mcs`, dll, files: all, seamUsed, command };
  }
  mkdirSync(outDir, { recursive: true });
  rmSync(dll, { force: true }); // a stale DLL must never pass for a fresh compile
  const r = spawnSync(mcs, args, { cwd: root, encoding: 'utf8' });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.split(root + '/').join('').trim();
  return { available: true, ok: r.status === 0 && existsSync(dll), output, dll, files: all, seamUsed, command };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = checkNt8Addon();
  console.log(`NT8 layer compile check: ${r.files.length} files${r.seamUsed ? ' (AddonHost from addon/stubs/_seam: the real addon/Gateway/AddonHost.cs is not there yet)' : ''}`);
  if (r.output) console.log(r.output);
  if (!r.available) process.exit(2);
  console.log(r.ok ? `OK: ${relative(repoRoot, r.dll)}` : 'FAILED: the NinjaTrader layer does not compile against the NT8 API stubs.');
  process.exit(r.ok ? 0 : 1);
}
