// Composition root: builds the companion from its parts and starts it. Used by `npm start`
// (src/main.ts), the Electron shell (electron/main.ts) and every integration test.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog } from './audit/audit.ts';
import { clockFromEnv, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import { controlRouter } from './control/api.ts';
import { CONTROL_PREFIX, type Status } from './control/contract.ts';
import { serveDashboard } from './control/dashboard.ts';
import { Desk } from './control/desk.ts';
import { DashboardSessions } from './control/session.ts';
import { EventBus } from './events.ts';
import { attachApp, createHttpServer, listenLoopback, type HttpLimitOptions } from './http/server.ts';
import { Urls } from './http/urls.ts';
import { McpEndpoint } from './mcp/endpoint.ts';
import { ToolRegistry } from './mcp/registry.ts';
import { AddonLink } from './ninjatrader/link.ts';
import { defaultPairingPath, writePairingFile } from './ninjatrader/pairing.ts';
import { PROTOCOL_MINOR, PROTOCOL_VERSION } from './ninjatrader/protocol.ts';
import { ClientMetadataFetcher, type CimdOptions } from './oauth/cimd.ts';
import { oauthRouter } from './oauth/routes.ts';
import { OAuthService } from './oauth/service.ts';
import { TTL } from './oauth/policy.ts';
import { startSimulatorAddon } from './simulator/addon.ts';
import { ensurePrivateDir, openDatabase, type DB } from './store/db.ts';
import { lockDataDir } from './store/lock.ts';
export { DataDirInUseError } from './store/lock.ts';
import { Trading, type TradingOptions } from './trading/trading.ts';
import { tradingTools } from './mcp/trading-tools.ts';
import { statusTool } from './mcp/status-tool.ts';
import { randomSecret } from './util/crypto.ts';
import { installAddon, planAddonInstall, type AddonInstallOptions } from './addon/install.ts';
import { VERSION } from './version.ts';

export interface CompanionOptions extends Partial<Config> {
  dataDir: string;
  /** The one clock everything reads domain time from. Default: clockFromEnv() (real time outside tests). */
  clock?: Clock;
  /** Shorthand for `clock: { now }` (older tests); ignored when `clock` is given. */
  now?: () => number;
  /** Test seams: registration budget, consent wait hold, trading timeouts. */
  registrationLimit?: { max: number; windowMs: number };
  waitHoldMs?: number;
  trading?: Partial<TradingOptions>;
  linkTiming?: { requestTimeoutMs?: number; heartbeatIntervalMs?: number; deadPeerMs?: number; helloTimeoutMs?: number };
  /** "Install NinjaTrader add-on": the Documents folder and where addon/ lives (defaults: the user's, this repository). */
  addonInstall?: AddonInstallOptions;
  /** Client ID Metadata Document fetches; `allowLoopback` is for tests and development only. */
  cimd?: Omit<CimdOptions, 'now'>;
  /** HTTP timeouts, per-door budgets and the socket cap (src/http/doors.ts); defaults for production. */
  http?: HttpLimitOptions;
}

export interface Companion {
  /** The clock every part reads (tests read it to know the companion's "now"). */
  clock: Clock;
  urls: Urls;
  mcpUrl: string;
  controlUrl: string;
  /** A fresh one-time dashboard link (`/#code=…`): single use, valid for 10 minutes. */
  dashboardLink(): string;
  /** The long-lived control token (the `control-token` file): for scripts and the tray, never for a URL. */
  controlToken: string;
  pairingSecret: string;
  /** Where the add-on pairing file was written (link mode `addon`), else null. */
  pairingFile: string | null;
  db: DB;
  bus: EventBus;
  oauth: OAuthService;
  audit: AuditLog;
  link: AddonLink;
  trading: Trading;
  simulator: Awaited<ReturnType<typeof startSimulatorAddon>> | null;
  status(): Status;
  /** Per-request state the MCP transports hold (diagnostics; zero between calls). */
  mcpBacklog(): ReturnType<McpEndpoint['backlog']>;
  stop(): Promise<void>;
}

export class PortInUseError extends Error {}

function writePrivate(file: string, text: string): void {
  // Write-then-rename so a crash never leaves a half-written file; 0600 from the first byte.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

/** The control token persists across restarts: scripts and the tray read it from this file. It never goes in a URL. */
function loadControlToken(dataDir: string): string {
  const file = join(dataDir, 'control-token');
  if (existsSync(file)) {
    const t = readFileSync(file, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{32,}$/.test(t)) return t;
  }
  const token = randomSecret(32);
  writePrivate(file, `${token}\n`);
  return token;
}

export async function startCompanion(opts: CompanionOptions): Promise<Companion> {
  const clock: Clock = opts.clock ?? (opts.now ? { now: opts.now } : clockFromEnv());
  const now = () => clock.now();
  const dataDir = opts.dataDir;
  ensurePrivateDir(dataDir);
  const unlock = lockDataDir(dataDir);
  let db: DB;
  try {
    db = openDatabase(dataDir);
  } catch (e) {
    unlock();
    throw e;
  }
  const controlToken = loadControlToken(dataDir);
  const bus = new EventBus();
  const audit = new AuditLog(db, bus, now);

  const server = createHttpServer(opts.http);
  let port: number;
  try {
    port = await listenLoopback(server, opts.port ?? 0);
  } catch (e) {
    db.close();
    unlock();
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new PortInUseError(
        `Port ${opts.port} on 127.0.0.1 is already in use — is another NT MCP Companion running? Stop it, or start this one with --port <another port>.`,
      );
    }
    throw e;
  }
  const urls = new Urls(port);
  const mode = opts.link ?? 'simulator';
  const pairingSecret = randomSecret(32);
  const link = new AddonLink({ pairingSecret, mode, now, ...(opts.linkTiming ?? {}) });

  const oauth = new OAuthService({
    db,
    audit,
    bus,
    now,
    availableAccounts: () => link.mirror.accounts().map((a) => a.name),
    isOwnResource: (r) => urls.isOwnResource(r),
  });
  // Expired and abandoned consents leave the dashboard by themselves (policy.ts TTL.consentAbandonMs).
  const consentSweep = setInterval(() => oauth.sweepConsents(), TTL.consentSweepMs);
  consentSweep.unref();
  const trading = new Trading({ db, audit, bus, link, now, ...(opts.trading ?? {}) });
  const tools = new ToolRegistry().add(statusTool({ link, trading, version: VERSION, hours: mode === 'simulator' ? (opts.simHours ?? 'cme') : 'cme' }), ...tradingTools(trading, { hours: mode === 'simulator' ? (opts.simHours ?? 'cme') : 'cme' }));
  // The dashboard's Trading view and the person's Flatten buttons (issue 11).
  const desk = new Desk({
    db, bus, audit, link, trading, now,
    hours: mode === 'simulator' ? (opts.simHours ?? 'cme') : 'cme',
    flatten: async (target, by) => {
      const r = await trading.flattenAsPerson(target, by);
      return { orderIds: r.orders.map((o) => o.orderId), message: r.message };
    },
  });
  const mcp = new McpEndpoint({ oauth, audit, urls, tools, version: VERSION, now });

  // The dashboard link carries a one-time code, never the control token (src/control/session.ts).
  const sessions = new DashboardSessions(now, `ntmcp_session_${port}`);
  const dashboardLink = () => {
    const { code, expiresAt } = sessions.issueCode();
    return { url: `${urls.primary}/#code=${code}`, expiresAt: new Date(expiresAt).toISOString() };
  };

  const status = (): Status => ({
    version: VERSION,
    mcpUrl: urls.mcpUrl,
    dashboardUrl: `${urls.primary}/`,
    link: link.state(),
    killSwitch: trading.killSwitch(),
    pending: { consents: oauth.pendingConsents().length, confirmations: trading.confirmations().length },
  });

  attachApp(server, urls, {
    mount(app) {
      app.use(
        oauthRouter({
          oauth,
          urls,
          bus,
          now,
          waitHoldMs: opts.waitHoldMs,
          registrationLimit: opts.registrationLimit,
          cimd: new ClientMetadataFetcher({ now, ...(opts.cimd ?? {}) }),
        }),
      );
      app.use(CONTROL_PREFIX, controlRouter({ controlToken, sessions, dashboardLink, oauth, audit, bus, status, trading: trading.control(), risk: trading.risk, desk, addonInstall: { plan: () => planAddonInstall(opts.addonInstall), install: () => installAddon(opts.addonInstall) } }));
      app.all('/mcp', (req, res, next) => {
        mcp.handle(req, res).catch(next);
      });
      serveDashboard(app);
    },
    upgrade(req, socket, head) {
      if (new URL(req.url ?? '/', 'http://x').pathname !== '/addon') return false;
      link.handleUpgrade(req, socket, head);
      return true;
    },
  });

  link.on('state', (s) => bus.emit({ type: 'link', link: s }));

  let simulator: Companion['simulator'] = null;
  let pairingFile: string | null = null;
  if (mode === 'simulator') {
    simulator = await startSimulatorAddon({
      url: `ws://127.0.0.1:${port}/addon`,
      secret: pairingSecret,
      seed: opts.simSeed ?? 42,
      quoteIntervalMs: opts.quoteIntervalMs ?? 250,
      now,
      hours: opts.simHours ?? 'cme',
    });
    await simulator.connected;
    await waitForSnapshot(link, 10_000);
  } else {
    pairingFile = opts.pairingFile ?? defaultPairingPath();
    // Awaited: when npm start prints the Pairing line, the file is there for the add-on to read.
    await writePairingFile(pairingFile, {
      url: `ws://127.0.0.1:${port}/addon`,
      secret: pairingSecret,
      protocolVersion: PROTOCOL_VERSION,
      protocolMinor: PROTOCOL_MINOR,
    });
  }

  writePrivate(
    join(dataDir, 'runtime.json'),
    `${JSON.stringify({ mcpUrl: urls.mcpUrl, controlUrl: `${urls.primary}${CONTROL_PREFIX}`, pid: process.pid, version: VERSION }, null, 2)}\n`,
  );
  audit.record({ kind: 'control', event: 'companion.started', outcome: 'ok', detail: `${urls.mcpUrl} (${mode})` });

  let stopped = false;
  return {
    clock,
    urls,
    mcpUrl: urls.mcpUrl,
    controlUrl: `${urls.primary}${CONTROL_PREFIX}`,
    dashboardLink: () => dashboardLink().url,
    controlToken,
    pairingSecret,
    pairingFile,
    db,
    bus,
    oauth,
    audit,
    link,
    trading,
    simulator,
    status,
    mcpBacklog: () => mcp.backlog(),
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(consentSweep);
      desk.close();
      trading.close();
      await simulator?.close();
      link.close();
      await mcp.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      audit.record({ kind: 'control', event: 'companion.stopped', outcome: 'ok' });
      db.close();
      unlock();
    },
  };
}

/** Resolves once the link holds a full snapshot (accounts known), so the first consent can list them. */
async function waitForSnapshot(link: AddonLink, timeoutMs: number): Promise<void> {
  if (link.state().status === 'connected' && link.mirror.accounts().length > 0) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      link.off('snapshot', done);
      reject(new Error('The built-in simulator did not send its snapshot in time.'));
    }, timeoutMs);
    function done() {
      clearTimeout(timer);
      link.off('snapshot', done);
      resolve();
    }
    link.on('snapshot', done);
  });
}
