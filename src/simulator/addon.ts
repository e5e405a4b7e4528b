// The simulator's add-on: a WebSocket client that speaks the add-on protocol exactly as the C#
// NT8 add-on does (docs/addon-protocol.md), backed by the SimEngine instead of NinjaTrader. It
// dials the companion with the pairing secret, sends hello, answers requests, streams events with
// a sequence number, answers pings, and reconnects with backoff when the connection drops.
// Test hooks: pauseResponses/resumeResponses, sendRaw, skipSeq, silence, dropConnection.
import WebSocket from 'ws';
import type { DomainEvent, RequestMessage } from '../ninjatrader/protocol.ts';
import { CompanionMessage, PROTOCOL_MINOR, PROTOCOL_VERSION } from '../ninjatrader/protocol.ts';
import { SimEngine } from './engine.ts';
import { systemClock } from '../clock.ts';
import type { MarketHours } from '../market/calendar.ts';

export const SIMULATOR_ADDON_VERSION = '0.1.0-sim';
/** What the simulator advertises in hello: everything the real add-on does (SPEC 1.1). */
export const SIMULATOR_CAPABILITIES = ['orders', 'quotes', 'bars', 'oco', 'subscribe', 'gtd', 'mit', 'brackets', 'atm'] as const;

export interface SimulatorAddonOptions {
  url: string;
  secret: string;
  seed?: number;
  /** Quote stream period; 0 turns streaming off (tests move the market with setQuote). */
  quoteIntervalMs?: number;
  nt8Version?: string;
  /** The companion's clock (clock.now): the engine's time for every request and quote. */
  now?: () => number;
  /** Start time of the engine (defaults to now()). */
  startTime?: number;
  /** 'cme' (default): the real CME calendar; '24x7': trades around the clock (--sim-hours 24x7). */
  hours?: MarketHours;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** Drop the connection after this long without any message from the companion. */
  companionDeadMs?: number;
  log?: (message: string) => void;
  /**
   * An engine to serve instead of a new one: NT8 outlives the companion, so a test restarting the
   * companion (or crashing it) hands the same engine to a new add-on connection.
   */
  engine?: SimEngine;
}

export interface SimulatorAddon {
  readonly engine: SimEngine;
  /** Resolves on the first welcome; rejects if the companion refuses us for good (version, hello). */
  readonly connected: Promise<void>;
  close(): Promise<void>;
  isConnected(): boolean;
  /** Number of welcomes received so far (1 after the first connect, 2 after a reconnect, …). */
  welcomes(): number;
  /** The protocol minor the companion's last welcome negotiated (0 when it named none), or null before one. */
  negotiatedMinor(): number | null;
  lastRefusal(): { reason: string; message: string } | null;
  /** Move the market like a tick does and stream the resulting events. */
  setQuote(instrument: string, price: number, opts?: { bid?: number; ask?: number; bidSize?: number; askSize?: number }): DomainEvent[];
  /** One random-walk step for every instrument, streamed. */
  tick(): DomainEvent[];
  /** Stream events produced by calling the engine directly. */
  publish(events: DomainEvent[]): void;
  /** Hold requests (unanswered) until resumeResponses(); provokes companion-side timeouts. */
  pauseResponses(): void;
  resumeResponses(): void;
  /** Discard held requests (they never reach "NinjaTrader"): a request lost with the link. */
  dropHeldRequests(which?: (req: RequestMessage) => boolean): number;
  /** Requests received and held while paused (tests wait on this instead of sleeping). */
  heldRequests(): number;
  /** Send any text (or JSON of a value) as is: malformed-message tests. */
  sendRaw(data: string | object): void;
  /** Skip `n` sequence numbers without sending: provokes a gap. */
  skipSeq(n?: number): void;
  /** While on: ignore everything from the companion and send nothing (a hung NT8). */
  silence(on: boolean): void;
  /** Cut the socket abruptly (the add-on then reconnects with backoff). */
  dropConnection(): void;
}

const PERMANENT_REFUSALS = new Set(['unsupported_version', 'invalid_hello', 'hello_expected']);

export function startSimulatorAddon(opts: SimulatorAddonOptions): SimulatorAddon {
  const now = opts.now ?? systemClock.now;
  const log = opts.log ?? (() => {});
  const engine = opts.engine ?? new SimEngine({ startTime: opts.startTime ?? now(), seed: opts.seed ?? 42, hours: opts.hours ?? 'cme' });
  const quoteIntervalMs = opts.quoteIntervalMs ?? 250;
  const minBackoff = opts.reconnectMinMs ?? 200;
  const maxBackoff = opts.reconnectMaxMs ?? 5000;
  const deadMs = opts.companionDeadMs ?? 30_000;

  let ws: WebSocket | null = null;
  let welcomed = false;
  let welcomeCount = 0;
  let minor: number | null = null;
  let closing = false;
  let giveUp = false;
  let backoff = minBackoff;
  let seq = 0;
  let paused = false;
  let silenced = false;
  let lastSeen = performance.now();
  let refusal: { reason: string; message: string } | null = null;
  const held: RequestMessage[] = [];
  let reconnectTimer: NodeJS.Timeout | null = null;
  let quoteTimer: NodeJS.Timeout | null = null;
  let watchdog: NodeJS.Timeout | null = null;

  let resolveConnected!: () => void;
  let rejectConnected!: (e: Error) => void;
  let settled = false;
  const connected = new Promise<void>((res, rej) => {
    resolveConnected = res;
    rejectConnected = rej;
  });
  connected.catch(() => {}); // callers that never await it must not see an unhandled rejection

  function sendObj(msg: object): void {
    if (silenced || !ws || ws.readyState !== WebSocket.OPEN) return;
    ws.send(JSON.stringify(msg));
  }

  function publish(events: DomainEvent[]): void {
    if (!welcomed || silenced) return; // the next snapshot carries the state
    for (const event of events) {
      seq += 1;
      sendObj({ v: PROTOCOL_VERSION, type: 'event', seq, event });
    }
  }

  function answer(req: RequestMessage): void {
    if (req.method === 'snapshot') {
      sendObj({ v: PROTOCOL_VERSION, type: 'snapshot', id: req.id, seq, ...engine.snapshot() });
      return;
    }
    const r = engine.handle(req.method, req.params, now());
    publish(r.events); // events first: the companion's mirror is current when the answer lands
    if (r.ok) sendObj({ v: PROTOCOL_VERSION, type: 'response', id: req.id, ok: true, result: r.result });
    else sendObj({ v: PROTOCOL_VERSION, type: 'response', id: req.id, ok: false, error: r.error });
  }

  function onMessage(text: string): void {
    if (silenced) return;
    lastSeen = performance.now();
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return log('simulator add-on: ignored a non-JSON message');
    }
    const parsed = CompanionMessage.safeParse(raw);
    if (!parsed.success) return log('simulator add-on: ignored an invalid message');
    const msg = parsed.data;
    switch (msg.type) {
      case 'welcome':
        welcomed = true;
        welcomeCount += 1;
        minor = msg.protocolMinor ?? 0;
        backoff = minBackoff;
        if (!settled) {
          settled = true;
          resolveConnected();
        }
        if (quoteIntervalMs > 0 && !quoteTimer) {
          quoteTimer = setInterval(() => publish(engine.tick(now())), quoteIntervalMs);
        }
        return;
      case 'refused':
        refusal = { reason: msg.reason, message: msg.message };
        log(`simulator add-on: refused (${msg.reason}): ${msg.message}`);
        if (PERMANENT_REFUSALS.has(msg.reason)) {
          giveUp = true;
          if (!settled) {
            settled = true;
            rejectConnected(new Error(`The companion refused the simulator add-on: ${msg.message}`));
          }
        }
        return;
      case 'ping':
        return sendObj({ v: PROTOCOL_VERSION, type: 'pong' });
      case 'request':
        if (paused) held.push(msg);
        else answer(msg);
        return;
    }
  }

  function connect(): void {
    reconnectTimer = null;
    if (closing) return;
    const socket = new WebSocket(opts.url, { headers: { Authorization: `Bearer ${opts.secret}` } });
    ws = socket;
    socket.on('open', () => {
      lastSeen = performance.now();
      socket.send(
        JSON.stringify({
          v: PROTOCOL_VERSION,
          type: 'hello',
          addonVersion: SIMULATOR_ADDON_VERSION,
          nt8Version: opts.nt8Version ?? 'simulator',
          simulated: true,
          capabilities: [...SIMULATOR_CAPABILITIES],
          protocolMinor: PROTOCOL_MINOR,
        }),
      );
    });
    socket.on('message', (data) => onMessage(data.toString()));
    socket.on('error', (err) => log(`simulator add-on: socket error: ${err.message}`));
    socket.on('unexpected-response', (_req, res) => {
      log(`simulator add-on: upgrade refused with HTTP ${res.statusCode}`);
    });
    socket.on('close', () => {
      if (ws === socket) ws = null;
      welcomed = false;
      if (quoteTimer) clearInterval(quoteTimer);
      quoteTimer = null;
      if (closing || giveUp) return;
      reconnectTimer = setTimeout(connect, backoff);
      backoff = Math.min(maxBackoff, backoff * 2);
    });
  }

  watchdog = setInterval(() => {
    if (ws && welcomed && !silenced && performance.now() - lastSeen > deadMs) {
      log('simulator add-on: companion silent; reconnecting');
      ws.terminate();
    }
  }, Math.max(50, Math.floor(deadMs / 3)));
  watchdog.unref();

  connect();

  return {
    engine,
    connected,
    isConnected: () => welcomed,
    welcomes: () => welcomeCount,
    negotiatedMinor: () => minor,
    lastRefusal: () => refusal,
    setQuote(instrument, price, o = {}) {
      const events = engine.setQuote(instrument, price, { ...o, nowMs: now() });
      publish(events);
      return events;
    },
    tick() {
      const events = engine.tick(now());
      publish(events);
      return events;
    },
    publish,
    pauseResponses() {
      paused = true;
    },
    resumeResponses() {
      paused = false;
      for (const req of held.splice(0)) answer(req);
    },
    dropHeldRequests(which = () => true) {
      const before = held.length;
      const keep = held.filter((r) => !which(r));
      held.splice(0, held.length, ...keep);
      return before - keep.length;
    },
    heldRequests: () => held.length,
    sendRaw(data) {
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(typeof data === 'string' ? data : JSON.stringify(data));
    },
    skipSeq(n = 1) {
      seq += n;
    },
    silence(on) {
      silenced = on;
    },
    dropConnection() {
      ws?.terminate();
    },
    async close() {
      closing = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      if (quoteTimer) clearInterval(quoteTimer);
      if (watchdog) clearInterval(watchdog);
      reconnectTimer = quoteTimer = watchdog = null;
      const socket = ws;
      if (!socket || socket.readyState === WebSocket.CLOSED) return;
      await new Promise<void>((resolve) => {
        const cut = setTimeout(() => socket.terminate(), 1000);
        socket.once('close', () => {
          clearTimeout(cut);
          resolve();
        });
        if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
        else socket.close(1000, 'closing');
      });
    },
  };
}
