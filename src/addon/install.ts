// "Install NinjaTrader add-on": copies the add-on's C# sources into the NinjaTrader 8 user folder,
// where NT8 compiles every .cs file under bin/Custom (NinjaScript Editor F5, or at start). Plain
// Node, no electron: the control API (dashboard button), the tray item and the tests all call
// installAddon(). scripts/build-addon.mjs zips the same files under the same relative paths
// (AddOns/NTMcpCompanion/…), so an import of the zip and this install land on the same files.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The three layers that ship (addon/stubs, addon/harness and addon/tests never do). */
export const ADDON_LAYERS = ['Protocol', 'Gateway', 'NinjaTrader'] as const;
/** Our folder under bin/Custom/AddOns: everything we write stays inside it. */
export const ADDON_FOLDER = 'NTMcpCompanion';
/** The repository (or the packaged app's resources folder) that holds addon/. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface AddonSource {
  /** Path inside the add-on folder, with forward slashes: "Protocol/Json.cs". */
  rel: string;
  abs: string;
}

/** Every .cs file of the shipped layers under `<root>/addon`, sorted. Throws when there are none. */
export function addonSourceFiles(root: string = REPO_ROOT): AddonSource[] {
  const out: AddonSource[] = [];
  const base = join(root, 'addon');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else if (name.endsWith('.cs')) out.push({ rel: relative(base, abs).split(sep).join('/'), abs });
    }
  };
  for (const layer of ADDON_LAYERS) if (existsSync(join(base, layer))) walk(join(base, layer));
  if (out.length === 0) throw new AddonInstallError('no_sources', `The add-on's source files were not found under ${base}; this copy of the companion is incomplete.`);
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** The user's Documents folder as NinjaTrader 8 uses it: %USERPROFILE%\Documents on Windows, ~/Documents elsewhere. */
export function documentsFolder(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return [env.USERPROFILE ?? homedir(), 'Documents'].join('\\');
  return join(homedir(), 'Documents');
}

export function nt8Folder(documents: string): string {
  return join(documents, 'NinjaTrader 8');
}

export function addonTargetFolder(documents: string): string {
  return join(nt8Folder(documents), 'bin', 'Custom', 'AddOns', ADDON_FOLDER);
}

export type AddonInstallErrorCode = 'nt8_not_installed' | 'no_sources' | 'write_failed';

export class AddonInstallError extends Error {
  constructor(
    readonly code: AddonInstallErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AddonInstallError';
  }
}

export interface AddonInstallOptions {
  /** The Documents folder (default: documentsFolder()); tests pass a temp folder. */
  documentsDir?: string;
  /** Where addon/ lives (default: this repository; the packaged app passes its resources folder). */
  sourceRoot?: string;
}

/** What an install would do, for the question asked before it. */
export interface AddonInstallPlan {
  /** The folder the files go to. */
  target: string;
  /** Whether `<Documents>/NinjaTrader 8` exists (NT8 has run for this user). */
  nt8Found: boolean;
  /** Files that would be written, relative to `target`. */
  files: string[];
  /** Whether the add-on folder exists already (a reinstall or an update). */
  installedBefore: boolean;
}

export interface AddonInstallResult {
  target: string;
  /** Files written (new or changed), relative to `target`. */
  written: string[];
  /** Files already identical, left as they were. */
  unchanged: string[];
  /** Our own .cs files that an older version had and this one no longer ships (NT8 would still compile them). */
  removed: string[];
  /** One human paragraph: what happened and what to do next in NinjaTrader. */
  message: string;
}

export const NEXT_STEP = 'compile with F5 in the NinjaScript Editor or restart NinjaTrader';

function resolve(opts: AddonInstallOptions) {
  const documents = opts.documentsDir ?? documentsFolder();
  return { documents, target: addonTargetFolder(documents), nt8: nt8Folder(documents) };
}

export function planAddonInstall(opts: AddonInstallOptions = {}): AddonInstallPlan {
  const { target, nt8 } = resolve(opts);
  return {
    target,
    nt8Found: existsSync(nt8),
    files: addonSourceFiles(opts.sourceRoot).map((f) => f.rel),
    installedBefore: existsSync(target),
  };
}

async function listCs(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    let names;
    try {
      names = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of names) {
      const abs = join(d, e.name);
      if (e.isDirectory()) await walk(abs);
      else if (e.name.endsWith('.cs')) out.push(relative(dir, abs).split(sep).join('/'));
    }
  };
  await walk(dir);
  return out;
}

/**
 * Copies the add-on into `<Documents>/NinjaTrader 8/bin/Custom/AddOns/NTMcpCompanion/`. Each file
 * is written to a temporary name beside it and renamed over the old one, so NinjaTrader (which may
 * be running and watching the folder) never reads half a file. Refuses when NinjaTrader 8 has no
 * user folder: creating one would only hide that NT8 is missing or uses another Documents folder.
 */
export async function installAddon(opts: AddonInstallOptions = {}): Promise<AddonInstallResult> {
  const { target, nt8 } = resolve(opts);
  if (!existsSync(nt8)) {
    throw new AddonInstallError(
      'nt8_not_installed',
      `NinjaTrader 8 is not installed for this user: there is no "${nt8}" folder. Install NinjaTrader 8 and start it once (it creates that folder), then install the add-on again.`,
    );
  }
  const sources = addonSourceFiles(opts.sourceRoot);
  const written: string[] = [];
  const unchanged: string[] = [];
  const removed: string[] = [];
  let current = '';
  try {
    for (const f of sources) {
      current = f.rel;
      const dest = join(target, ...f.rel.split('/'));
      const body = readFileSync(f.abs);
      const old = await readFile(dest).catch(() => null);
      if (old && old.equals(body)) {
        unchanged.push(f.rel);
        continue;
      }
      await mkdir(dirname(dest), { recursive: true });
      const tmp = `${dest}.${process.pid}.tmp`;
      try {
        await writeFile(tmp, body);
        await rename(tmp, dest);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
      written.push(f.rel);
    }
    const shipped = new Set(sources.map((f) => f.rel));
    for (const rel of await listCs(target)) {
      if (shipped.has(rel)) continue;
      current = rel;
      await rm(join(target, ...rel.split('/')), { force: true });
      removed.push(rel);
    }
  } catch (e) {
    throw new AddonInstallError('write_failed', `Could not write ${current} into ${target}: ${(e as Error).message}. Nothing else was changed after it; close any editor holding that file and try again.`);
  }
  const changed = written.length + removed.length;
  const what =
    changed === 0
      ? `The add-on in ${target} is already up to date (${unchanged.length} files).`
      : `Installed the NinjaTrader add-on into ${target}: ${written.length} file(s) written${unchanged.length ? `, ${unchanged.length} already up to date` : ''}${removed.length ? `, ${removed.length} old file(s) removed` : ''}.`;
  const next = ` In NinjaTrader, ${NEXT_STEP}${changed === 0 ? ' if it has not compiled it yet' : ''}; then New → MCP Companion shows the link.`;
  return { target, written, unchanged, removed, message: `${what}${next}` };
}
