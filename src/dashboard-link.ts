// `npm run dashboard` — prints a fresh one-time dashboard link for the companion already running on
// this data dir (its runtime.json and control-token), so a person whose browser lost its session
// does not have to restart the companion. Reads only owner-only files in the data dir, asks the
// control API on loopback, prints the link; never prints the control token.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDataDir } from './config.ts';

const USAGE = `Prints a fresh one-time dashboard link for the running NT MCP Companion.

Usage: npm run dashboard [-- --data-dir <path>]
  --data-dir <path>   The companion's data dir (default: NT_MCP_DATA_DIR or ${defaultDataDir()})
`;

export async function dashboardLink(dataDir: string, fetchImpl: typeof fetch = fetch): Promise<{ url: string; expiresAt: string }> {
  const runtimeFile = join(dataDir, 'runtime.json');
  const tokenFile = join(dataDir, 'control-token');
  if (!existsSync(runtimeFile) || !existsSync(tokenFile)) {
    throw new Error(`No companion has run with the data dir ${dataDir} (no runtime.json or control-token there). Start it with npm start.`);
  }
  const runtime = JSON.parse(readFileSync(runtimeFile, 'utf8')) as { controlUrl?: unknown };
  if (typeof runtime.controlUrl !== 'string' || !/^http:\/\/127\.0\.0\.1:\d+\/control\/v1$/.test(runtime.controlUrl)) {
    throw new Error(`${runtimeFile} does not name a loopback control URL.`);
  }
  const token = readFileSync(tokenFile, 'utf8').trim();
  let r: Response;
  try {
    r = await fetchImpl(`${runtime.controlUrl}/dashboard-link`, { headers: { Authorization: `Bearer ${token}` } });
  } catch {
    throw new Error(`The companion is not running at ${runtime.controlUrl.replace(/\/control\/v1$/, '')} (nothing answered). Start it with npm start.`);
  }
  if (!r.ok) throw new Error(`The companion refused the request (${r.status}): is another companion using this port with a different data dir?`);
  return (await r.json()) as { url: string; expiresAt: string };
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: process.argv.slice(2), options: { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));
  } catch (e) {
    console.error(`nt-mcp-companion: ${(e as Error).message}. Run with --help.`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    const link = await dashboardLink(values['data-dir'] ?? process.env.NT_MCP_DATA_DIR ?? defaultDataDir());
    console.log(link.url);
    console.error(`(one-time link: it works once, until ${link.expiresAt})`);
    return 0;
  } catch (e) {
    console.error(`nt-mcp-companion: ${(e as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && /dashboard-link\.ts$/.test(process.argv[1])) {
  main().then((code) => process.exit(code));
}
