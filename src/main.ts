// Headless entry: `npm start -- [options]`. Parses flags, starts the companion, prints the URLs,
// and shuts down cleanly on SIGINT/SIGTERM.
import { ConfigError, defaultDataDir, parseConfig, USAGE } from './config.ts';
import { DataDirInUseError, PortInUseError, startCompanion } from './companion.ts';
import { VERSION } from './version.ts';
import { describeClosed } from './market/calendar.ts';
import { clockNotice } from './clock.ts';

async function main(): Promise<number> {
  let config;
  try {
    config = parseConfig(process.argv.slice(2));
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
    companion = await startCompanion({ ...config, cimd: { allowLoopback: process.env.NT_MCP_CIMD_ALLOW_LOOPBACK === '1' } });
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
    if (link.simulated) {
      console.log('              SIMULATED — orders go to the built-in simulator, not to NinjaTrader.');
      const closed = describeClosed('ES', companion.clock.now());
      console.log(
        `  Sim hours:  ${config.simHours === '24x7' ? 'around the clock (--sim-hours 24x7)' : `CME Globex calendar${closed ? ` — ${closed}` : ' — the market is open'}`}`,
      );
    }
    if (companion.pairingFile) console.log(`  Pairing:    ${companion.pairingFile} (the NinjaTrader add-on reads it to connect)`);
    console.log(`  Data:       ${config.dataDir}`);
    console.log('Connect an AI client (docs/clients.md), e.g.:');
    console.log(`  claude mcp add --transport http ninjatrader ${companion.mcpUrl}`);
    console.log('Press Ctrl+C to stop.');
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
