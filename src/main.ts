// Headless entry: `npm start -- [options]`. Parses flags, starts the companion, prints the URLs,
// and shuts down cleanly on SIGINT/SIGTERM.
import { ConfigError, defaultDataDir, linkTimingFromEnv, parseConfig, USAGE } from './config.ts';
import type { LinkState } from './control/contract.ts';
import type { Activity } from './ninjatrader/link.ts';
import { DataDirInUseError, PortInUseError, startCompanion } from './companion.ts';
import { VERSION } from './version.ts';
import { describeClosed } from './market/calendar.ts';
import { clockNotice } from './clock.ts';

async function main(): Promise<number> {
  let config;
  let linkTiming;
  try {
    config = parseConfig(process.argv.slice(2));
    linkTiming = linkTimingFromEnv();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`nt-mcp-companion: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (config === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (config === 'version') {
    console.log(VERSION);
    return 0;
  }

  let companion;
  try {
    // Client ID Metadata Documents on loopback (a local test server): opt-in, never the default.
    // NT_MCP_TEST_LINK_TIMING (tests only): requestTimeoutMs bounds the trade requests too.
    const t = linkTiming.timing;
    companion = await startCompanion({
      ...config,
      cimd: { allowLoopback: process.env.NT_MCP_CIMD_ALLOW_LOOPBACK === '1' },
      ...(t ? { linkTiming: t, ...(t.requestTimeoutMs ? { trading: { addonTimeoutMs: t.requestTimeoutMs } } : {}) } : {}),
    });
  } catch (e) {
    if (e instanceof PortInUseError || e instanceof DataDirInUseError) {
      console.error(`nt-mcp-companion: ${e.message}`);
      return 1;
    }
    console.error(`nt-mcp-companion: could not start: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }

  const link = companion.link.state();
  const clock = clockNotice(companion.clock);
  if (clock.warning) console.error(`nt-mcp-companion: ${clock.warning}`);
  if (linkTiming.warning) console.error(`nt-mcp-companion: ${linkTiming.warning}`);
  if (config.quiet) {
    console.log(companion.mcpUrl);
    console.log(companion.dashboardLink());
  } else {
    console.log(`NT MCP Companion ${VERSION}`);
    console.log(`  MCP URL:    ${companion.mcpUrl}`);
    console.log(`  Dashboard:  ${companion.dashboardLink()}`);
    // The exact command for another link: with a non-default data dir it must name that dir.
    const again = config.dataDir === defaultDataDir() && !process.env.NT_MCP_DATA_DIR ? 'npm run dashboard' : `npm run dashboard -- --data-dir ${JSON.stringify(config.dataDir)}`;
    console.log(`              (a fresh one-time link: it works once, within 10 minutes; ${again} prints another)`);
    console.log(`  NT8 link:   ${link.detail}`);
    if (clock.line) console.log(`  Clock:      ${clock.line}`);
    if (linkTiming.line) console.log(`  Link:       ${linkTiming.line}`);
    if (link.simulated) {
      console.log('              SIMULATED — orders go to the built-in simulator, not to NinjaTrader.');
      const closed = describeClosed('ES', companion.clock.now());
      console.log(
        `  Sim hours:  ${config.simHours === '24x7' ? 'around the clock (--sim-hours 24x7)' : `CME Globex calendar${closed ? ` — ${closed}` : ' — the market is open'}`}`,
      );
    }
    if (companion.pairingFile) console.log(`  Pairing:    ${companion.pairingFile} (the NinjaTrader add-on reads it to connect)`);
    else if (config.pairingFile) console.log('  Pairing:    --pairing-file is ignored: only --link addon writes a pairing file.');
    console.log(`  Data:       ${config.dataDir}`);
    console.log('Connect an AI client (docs/clients.md), e.g.:');
    console.log(`  claude mcp add --transport http ninjatrader ${companion.mcpUrl}`);
    console.log('Press Ctrl+C to stop.');
    // The link's life after the banner: the add-on connecting (or being refused, and why) is what
    // a person starting NinjaTrader after `npm start -- --link addon` is waiting to read.
    // Connected is printed once the first snapshot is in, with the accounts it brought.
    const keyOf = (s: LinkState) => (s.status === 'connected' ? `${s.detail}|${s.accounts.join(',')}` : s.status);
    let last = keyOf(link);
    const print = (s: LinkState) => {
      const key = keyOf(s);
      if (key === last) return;
      last = key;
      console.log(`  NT8 link:   ${s.detail}${s.status === 'connected' ? ` — accounts: ${s.accounts.join(', ') || 'none'}` : ''}`);
    };
    companion.link.on('state', (s: LinkState) => {
      if (s.status !== 'connected') print(s);
    });
    companion.link.on('snapshot', () => print(companion.link.state()));
    companion.link.on('activity', (a: Activity) => {
      if (a.kind === 'refused') console.log(`  NT8 link:   ${a.message}`);
    });
  }

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      if (!config.quiet) console.log(`\nReceived ${signal}; shutting down…`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await companion.stop();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error('nt-mcp-companion: fatal:', e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
