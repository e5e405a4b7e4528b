// Shared UI-test helper: builds the renderer when its sources changed, launches the system
// Chromium through playwright-core, opens the dashboard of a real test companion, saves screenshots.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { TestCompanion } from '../helpers/companion.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = join(ROOT, 'test-artifacts');

/** Builds renderer/dist if it is missing or older than its sources (scripts/ensure-renderer.mjs). */
export async function ensureRendererBuilt(): Promise<void> {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'ensure-renderer.mjs'), '--quiet'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface Dashboard {
  context: BrowserContext;
  page: Page;
  /** Browser console errors and page errors seen so far (CSP violations land here). */
  errors: string[];
}

/**
 * Opens a fresh one-time dashboard link (`/#code=…`, as `npm start` prints) in a fresh context;
 * `code: null` opens the dashboard without one, `code: '…'` with that code.
 */
export async function openDashboard(
  browser: Browser,
  c: TestCompanion,
  opts: { code?: string | null; colorScheme?: 'light' | 'dark'; waitReady?: boolean } = {},
): Promise<Dashboard> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: opts.colorScheme ?? 'light', acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  const url = opts.code === undefined ? c.dashboardLink() : opts.code === null ? `${c.origin}/` : `${c.origin}/#code=${opts.code}`;
  await page.goto(url);
  if (opts.waitReady !== false && opts.code === undefined) await page.getByTestId('view-overview').waitFor({ timeout: 10_000 });
  return { context, page, errors };
}

export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, animations: 'disabled' });
  return path;
}

/** Waits until `fn` returns a value other than undefined (for state outside the page). */
export async function until<T>(fn: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
