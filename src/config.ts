// Flags, environment and defaults. `--help` prints USAGE; keep it, README and docs in step.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';

/** Fixed default port so the MCP URL an AI client stores stays valid across restarts. */
export const DEFAULT_PORT = 47600;

export interface Config {
  port: number;
  dataDir: string;
  link: 'simulator' | 'addon';
  pairingFile: string | null;
  simSeed: number;
  quoteIntervalMs: number;
  /** Simulator market hours: 'cme' (the real CME Globex calendar) or '24x7' (around the clock). */
  simHours: 'cme' | '24x7';
  quiet: boolean;
}

export const USAGE = `NT MCP Companion — a local MCP server for NinjaTrader 8, with OAuth 2.1 and desktop consent.

Usage: npm start -- [options]

Options:
  --port <n>           Loopback port (default ${DEFAULT_PORT}; 0 = any free port). The MCP URL is
                       http://127.0.0.1:<port>/mcp
  --data-dir <path>    Where the database, control token and runtime.json live
                       (default: ${defaultDataDir()})
  --link <sim|addon>   sim (default): the built-in NT8 simulator, clearly marked simulated.
                       addon: wait for the real NinjaTrader 8 add-on to connect.
  --pairing-file <p>   Where to write the add-on pairing file (default with --link addon:
                       Documents/NinjaTrader 8/nt-mcp-companion/pairing.json)
  --sim-seed <n>       Seed of the simulator's reproducible market (default 42)
  --quote-interval <ms>  Simulator quote period in milliseconds (default 250)
  --sim-hours <cme|24x7> Simulator market hours. cme (default): the real CME Globex calendar
                       (Sunday 18:00 to Friday 17:00 ET, daily 17:00-18:00 break, exchange
                       holidays); nothing fills while it is closed. 24x7: trade around the
                       clock, like NT8's Simulated Data Feed, e.g. for a demo on a weekend.
  --quiet              Print only the URLs
  -h, --help           Show this help
  -v, --version        Print the version

Environment:
  NT_MCP_PORT, NT_MCP_DATA_DIR, NT_MCP_LINK, NT_MCP_SIM_HOURS
                       Defaults for --port, --data-dir, --link, --sim-hours (flags win)
  NT_MCP_TEST_CLOCK    Tests and demos only, and only with NODE_ENV=test: start the clock at an
                       ISO instant (2026-12-25T15:00:00Z) or N days away (+100d); it then runs
                       at real speed. Announced at start; ignored otherwise.
  NT_MCP_TEST_LINK_TIMING  Tests only, and only with NODE_ENV=test: add-on link timing as JSON,
                       e.g. {"deadPeerMs":3000,"heartbeatIntervalMs":500,"requestTimeoutMs":2000}
                       (requestTimeoutMs also bounds how long a trade waits for the add-on).
                       Announced at start; ignored otherwise.
  NT_MCP_CIMD_ALLOW_LOOPBACK=1
                       Development only: accept Client ID Metadata Documents served from
                       localhost (docs/security.md)
`;

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'NT MCP Companion');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'NT MCP Companion');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'nt-mcp-companion');
}

export class ConfigError extends Error {}

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): Config | 'help' | 'version' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        link: { type: 'string' },
        'pairing-file': { type: 'string' },
        'sim-seed': { type: 'string' },
        'quote-interval': { type: 'string' },
        'sim-hours': { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}. Run with --help for the options.`);
  }
  if (values.help) return 'help';
  if (values.version) return 'version';
  const int = (name: string, raw: string | undefined, def: number, min: number, max: number) => {
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`--${name} must be an integer from ${min} to ${max} (got "${raw}").`);
    return n;
  };
  const link = values.link ?? env.NT_MCP_LINK ?? 'sim';
  if (link !== 'sim' && link !== 'simulator' && link !== 'addon') {
    throw new ConfigError(`--link must be "sim" or "addon" (got "${link}").`);
  }
  const simHours = values['sim-hours'] ?? env.NT_MCP_SIM_HOURS ?? 'cme';
  if (simHours !== 'cme' && simHours !== '24x7') {
    throw new ConfigError(`--sim-hours must be "cme" or "24x7" (got "${simHours}").`);
  }
  return {
    port: int('port', values.port ?? env.NT_MCP_PORT, DEFAULT_PORT, 0, 65535),
    dataDir: values['data-dir'] ?? env.NT_MCP_DATA_DIR ?? defaultDataDir(env),
    link: link === 'addon' ? 'addon' : 'simulator',
    pairingFile: values['pairing-file'] ?? null,
    simSeed: int('sim-seed', values['sim-seed'], 42, 0, 2 ** 31 - 1),
    quoteIntervalMs: int('quote-interval', values['quote-interval'], 250, 1, 60_000),
    simHours,
    quiet: values.quiet ?? false,
  };
}

/** Add-on link timing a test may shorten (src/ninjatrader/link.ts defaults: 10 s heartbeat, 30 s dead peer, 5 s requests). */
export const LinkTimingSchema = z
  .object({
    deadPeerMs: z.number().int().min(100).max(600_000),
    heartbeatIntervalMs: z.number().int().min(50).max(600_000),
    requestTimeoutMs: z.number().int().min(100).max(600_000),
    helloTimeoutMs: z.number().int().min(100).max(600_000),
  })
  .partial()
  .strict();
export type LinkTiming = z.infer<typeof LinkTimingSchema>;

/**
 * NT_MCP_TEST_LINK_TIMING, honoured like NT_MCP_TEST_CLOCK: only with NODE_ENV=test, announced
 * when used, pointed out (and ignored) otherwise, so a stray variable can never make a trader's
 * link drop after half a second.
 */
export function linkTimingFromEnv(env: NodeJS.ProcessEnv = process.env): { timing?: LinkTiming; line?: string; warning?: string } {
  const raw = env.NT_MCP_TEST_LINK_TIMING;
  if (!raw) return {};
  if (env.NODE_ENV !== 'test') return { warning: `NT_MCP_TEST_LINK_TIMING is ignored: it changes the add-on link timing only when NODE_ENV=test.` };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError(`NT_MCP_TEST_LINK_TIMING must be JSON like {"deadPeerMs":3000,"heartbeatIntervalMs":500,"requestTimeoutMs":2000} (got "${raw.slice(0, 80)}").`);
  }
  const r = LinkTimingSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new ConfigError(`NT_MCP_TEST_LINK_TIMING: ${i ? `${i.path.join('.') || 'value'}: ${i.message}` : 'invalid'}.`);
  }
  const parts = Object.entries(r.data).map(([k, v]) => `${k} ${v} ms`);
  return { timing: r.data, line: `TEST LINK TIMING (NT_MCP_TEST_LINK_TIMING): ${parts.join(', ') || 'defaults'} — not for trading` };
}
