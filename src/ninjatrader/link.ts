// The companion's side of the add-on link: a WebSocket endpoint (noServer; the HTTP server routes
// upgrades for /addon here) that one NT8 add-on dials into. It authenticates the add-on, runs the
// handshake, keeps the Mirror current from snapshots and sequenced events, detects dead peers and
// sequence gaps, and carries requests with timeouts. See docs/addon-protocol.md.
import { EventEmitter } from 'node:events';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import type { LinkState, LinkStatus } from '../control/contract.ts';
import type {
  DomainEvent, HelloMessage, ParamsOf, ParsedSnapshot, RefusedReason, RequestMethod, ResultOf, UnknownValues,
} from './protocol.ts';
import {
  describeIssues, HelloMessage as HelloSchema, honest, methods, needs11, needsCapability, parseAddonMessage, PROTOCOL_MINOR, PROTOCOL_VERSION,
} from './protocol.ts';
import { Mirror } from './mirror.ts';
import { systemClock } from '../clock.ts';
import { AddonDisconnectedError, AddonRequestError, AddonTimeoutError } from './errors.ts';
import { describeExecution, describeOrder } from './activity.ts';

export { AddonDisconnectedError, AddonRequestError, AddonTimeoutError } from './errors.ts';

export interface AddonLinkOptions {
  pairingSecret: string;
  mode: 'simulator' | 'addon';
  requestTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  deadPeerMs?: number;
  /** How long a new connection has to send hello. */
  helloTimeoutMs?: number;
  now?: () => number;
}

/** An activity row about every account at once (a snapshot's counts): shown on the dashboard only. */
export const EVERY_ACCOUNT = '*';

export interface Activity {
  /** `skipped`: a snapshot record or event payload that failed validation; `unknown_value`: an enum value this companion does not know. */
  kind: 'connect' | 'disconnect' | 'refused' | 'error' | 'gap' | 'snapshot' | 'order' | 'execution' | 'skipped' | 'unknown_value';
  message: string;
  /**
   * The NT8 account the row is about; a grant sees only its own accounts' rows (docs/security.md).
   * null = about the link itself (connect, disconnect, protocol errors), visible to every client;
   * EVERY_ACCOUNT = about all accounts together, visible to the person only.
   */
  account: string | null;
}

interface Pending {
  method: RequestMethod;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

interface Conn {
  ws: WebSocket;
  phase: 'hello' | 'ready' | 'closed';
  hello: HelloMessage | null;
  /** The negotiated minor of major 1: min(the add-on's, PROTOCOL_MINOR). */
  minor: number;
  lastSeen: number;
  helloTimer: NodeJS.Timeout | null;
  heartbeat: NodeJS.Timeout | null;
}

const MAX_PAYLOAD = 64 * 1024 * 1024;
/**
 * At most this much message handling per turn of the event loop, then the add-on's socket is paused
 * until the next turn: a flood of events (thousands per read) must not hold the control API and the
 * kill switch behind it (issue 9; docs/performance.md, "Event floods").
 */
const SLICE_MS = 8;

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

export class AddonLink extends EventEmitter {
  readonly mirror: Mirror;
  private readonly opts: Required<Omit<AddonLinkOptions, 'now'>>;
  private readonly now: () => number;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD });
  private readonly secretHash: Buffer;
  private conn: Conn | null = null;
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  /** Seq of the last applied event (or of the snapshot); null = no baseline yet on this connection. */
  private lastSeq: number | null = null;
  private resyncing = false;
  private closed = false;
  private status: LinkStatus = 'waiting';
  private since: number;
  private lastHello: HelloMessage | null = null;
  private disconnectReason = '';
  /** (entity.field, raw) pairs already reported: an unknown enum value is logged once, not per record. */
  private readonly unknownSeen = new Set<string>();
  /** When this turn of the event loop started handling add-on messages; -1 = not yet (SLICE_MS). */
  private sliceStart = -1;

  constructor(opts: AddonLinkOptions) {
    super();
    if (opts.pairingSecret.length < 16) throw new Error('pairingSecret must be at least 16 characters');
    this.opts = {
      pairingSecret: opts.pairingSecret,
      mode: opts.mode,
      requestTimeoutMs: opts.requestTimeoutMs ?? 5000,
      heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 10_000,
      deadPeerMs: opts.deadPeerMs ?? 30_000,
      helloTimeoutMs: opts.helloTimeoutMs ?? 5000,
    };
    this.now = opts.now ?? systemClock.now;
    this.mirror = new Mirror(this.now);
    this.secretHash = sha256(opts.pairingSecret);
    this.since = this.now();
  }

  // ------------------------------------------------------------------ public API

  state(): LinkState {
    const hello = this.status === 'connected' ? this.conn?.hello ?? null : this.lastHello;
    const simulated = this.status === 'connected' ? hello?.simulated ?? false : this.opts.mode === 'simulator';
    const minor = this.status === 'connected' ? this.conn?.minor ?? null : null;
    const connections = this.mirror.connections().map((c) => ({
      name: c.name,
      status: honest(c.status, c, 'status'),
      priceStatus: c.priceStatus === null ? null : honest(c.priceStatus, c, 'priceStatus'),
      accounts: c.accounts,
    }));
    return {
      mode: this.opts.mode,
      status: this.status,
      simulated,
      nt8Version: hello?.nt8Version ?? null,
      addonVersion: hello?.addonVersion ?? null,
      protocolVersion: this.status === 'connected' ? PROTOCOL_VERSION : null,
      protocolMinor: minor,
      protocol: minor === null ? null : `${PROTOCOL_VERSION}.${minor}`,
      accounts: this.mirror.accounts().map((a) => a.name),
      connections,
      since: new Date(this.since).toISOString(),
      detail: this.detail(hello),
    };
  }

  /** Route an HTTP upgrade for the add-on path here. The caller has already checked Host. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closed) return rejectRaw(socket, 503, 'Service Unavailable');
    if (!this.authorized(req.headers.authorization)) {
      this.activity('refused', `Refused an add-on connection from ${req.socket.remoteAddress ?? '?'}: missing or wrong pairing secret`);
      return rejectRaw(socket, 401, 'Unauthorized');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
  }

  /** The negotiated minor of the connected add-on (0 = protocol 1.0), or null when none is connected. */
  protocolMinor(): number | null {
    const conn = this.conn;
    return conn && conn.phase === 'ready' ? conn.minor : null;
  }

  /** Whether the connected add-on advertised this capability in its hello ("subscribe", "bars", …). */
  hasCapability(capability: string): boolean {
    const conn = this.conn;
    return !!conn && conn.phase === 'ready' && (conn.hello?.capabilities ?? []).includes(capability);
  }

  async request<M extends RequestMethod>(
    method: M,
    params: ParamsOf<M>,
    opts: { timeoutMs?: number } = {},
  ): Promise<ResultOf<M>> {
    const conn = this.conn;
    if (!conn || conn.phase !== 'ready' || this.closed) throw new AddonDisconnectedError();
    const parsed = methods[method].params.safeParse(params);
    if (!parsed.success) {
      throw new AddonRequestError('invalid_request', `Invalid ${method} parameters: ${describeIssues(parsed.error)}; nothing was sent.`);
    }
    // A 1.0 add-on is never sent 1.1-only methods or values: it would reject or misread them.
    const only11 = conn.minor < 1 ? needs11(method, parsed.data) : null;
    if (only11 !== null) {
      throw new AddonRequestError(
        'addon_outdated',
        `The NinjaTrader add-on speaks protocol 1.0, which cannot carry ${only11}; update the add-on to protocol ${PROTOCOL_VERSION}.${PROTOCOL_MINOR}. Nothing was sent.`,
      );
    }
    // Brackets and ATM templates go only to an add-on that said it carries them (hello.capabilities).
    const cap = needsCapability(method, parsed.data);
    if (cap !== null && !(conn.hello?.capabilities ?? []).includes(cap.capability)) {
      throw new AddonRequestError(
        'addon_outdated',
        `The NinjaTrader add-on does not support ${cap.what} (it did not advertise "${cap.capability}"); update the add-on. Nothing was sent.`,
      );
    }
    const id = `c${this.nextId++}`;
    const timeoutMs = opts.timeoutMs ?? this.opts.requestTimeoutMs;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.pending.delete(id)) return;
        this.activity('error', `No answer from the add-on to ${method} (${id}) within ${timeoutMs} ms; outcome unknown`);
        reject(new AddonTimeoutError(method, 'timeout', `The NinjaTrader add-on did not answer ${method} within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, timer });
      this.send(conn, { v: PROTOCOL_VERSION, type: 'request', id, method, params: parsed.data });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const conn = this.conn;
    if (conn) {
      this.teardown(conn, 'the companion is shutting down');
      try {
        conn.ws.close(1001, 'shutting_down');
      } catch {
        /* already closing */
      }
      setTimeout(() => conn.ws.terminate(), 1000).unref();
    }
    this.wss.close();
  }

  // ------------------------------------------------------------------ connection lifecycle

  private authorized(header: string | undefined): boolean {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!m) return false;
    // Hash both sides so the comparison is constant-time and length-independent.
    return timingSafeEqual(sha256(m[1]!), this.secretHash);
  }

  private onSocket(ws: WebSocket): void {
    if (this.closed) {
      ws.terminate();
      return;
    }
    if (this.conn) {
      this.send({ ws } as Conn, {
        v: PROTOCOL_VERSION,
        type: 'refused',
        reason: 'already_connected',
        message: 'Another NinjaTrader add-on is already connected to this companion; only one may be connected at a time.',
      });
      ws.close(1008, 'already_connected');
      this.activity('refused', 'Refused a second add-on connection: one is already connected');
      return;
    }
    const conn: Conn = { ws, phase: 'hello', hello: null, minor: 0, lastSeen: performance.now(), helloTimer: null, heartbeat: null };
    this.conn = conn;
    conn.helloTimer = setTimeout(() => {
      this.refuse(conn, 'hello_timeout', `No hello within ${this.opts.helloTimeoutMs} ms of connecting.`);
    }, this.opts.helloTimeoutMs);
    ws.on('message', (data, isBinary) => this.onMessage(conn, data, isBinary));
    ws.on('close', (code, reason) => this.onClose(conn, code, reason.toString()));
    ws.on('error', (err) => this.activity('error', `Add-on socket error: ${err.message}`));
  }

  private refuse(conn: Conn, reason: RefusedReason, message: string): void {
    this.activity('refused', `Refused the add-on (${reason}): ${message}`);
    this.send(conn, { v: PROTOCOL_VERSION, type: 'refused', reason, message });
    this.teardown(conn, `refused: ${reason}`);
    conn.ws.close(1008, reason);
    // If the peer does not finish the close handshake, cut it.
    setTimeout(() => conn.ws.terminate(), 1000).unref();
  }

  private onHello(conn: Conn, raw: Record<string, unknown>): void {
    if (raw.type !== 'hello') {
      return this.refuse(conn, 'hello_expected', `The first message must be hello; got ${JSON.stringify(raw.type)?.slice(0, 40)}.`);
    }
    if (raw.v !== PROTOCOL_VERSION) {
      const theirs = typeof raw.v === 'number' && Number.isInteger(raw.v) ? `${raw.v}.x` : `version ${JSON.stringify(raw.v)?.slice(0, 20)}`;
      return this.refuse(
        conn,
        'unsupported_version',
        `This companion speaks add-on protocol ${PROTOCOL_VERSION}.x (${PROTOCOL_VERSION}.0 to ${PROTOCOL_VERSION}.${PROTOCOL_MINOR}); the add-on speaks ${theirs}. ` +
          `Install the add-on that matches this companion (protocol ${PROTOCOL_VERSION}.${PROTOCOL_MINOR}).`,
      );
    }
    const parsed = HelloSchema.safeParse(raw);
    if (!parsed.success) return this.refuse(conn, 'invalid_hello', `Invalid hello: ${describeIssues(parsed.error)}`);
    const hello = parsed.data;
    if (conn.helloTimer) clearTimeout(conn.helloTimer);
    conn.helloTimer = null;
    conn.hello = hello;
    // A newer minor is accepted and negotiated down: it only adds what this companion ignores.
    conn.minor = Math.min(hello.protocolMinor ?? 0, PROTOCOL_MINOR);
    conn.phase = 'ready';
    this.lastHello = hello;
    this.lastSeq = null;
    this.resyncing = false;
    this.send(conn, { v: PROTOCOL_VERSION, type: 'welcome', protocolVersion: PROTOCOL_VERSION, protocolMinor: conn.minor });
    conn.heartbeat = setInterval(() => this.heartbeat(conn), this.opts.heartbeatIntervalMs);
    this.setStatus('connected');
    this.activity(
      'connect',
      `NinjaTrader add-on connected (NT8 ${hello.nt8Version}, add-on ${hello.addonVersion}, protocol ${PROTOCOL_VERSION}.${conn.minor}${hello.simulated ? ', simulated' : ''})`,
    );
    this.requestSnapshot();
  }

  private heartbeat(conn: Conn): void {
    if (conn !== this.conn || conn.phase !== 'ready') return;
    // Liveness is elapsed real time (monotonic), not the domain clock, which tests may pin or jump.
    const silent = performance.now() - conn.lastSeen;
    if (silent > this.opts.deadPeerMs) {
      this.teardown(conn, `no message for ${Math.round(silent / 1000)} s`);
      conn.ws.terminate();
      return;
    }
    this.send(conn, { v: PROTOCOL_VERSION, type: 'ping' });
  }

  private onClose(conn: Conn, code: number, reason: string): void {
    this.teardown(conn, `socket closed (${code}${reason ? ` ${reason}` : ''})`);
  }

  /** Idempotent: forget the connection, fail pending requests, mark the mirror stale. */
  private teardown(conn: Conn, why: string): void {
    if (conn !== this.conn) return;
    this.conn = null;
    if (conn.helloTimer) clearTimeout(conn.helloTimer);
    if (conn.heartbeat) clearInterval(conn.heartbeat);
    conn.helloTimer = conn.heartbeat = null;
    const wasReady = conn.phase === 'ready';
    conn.phase = 'closed';
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new AddonTimeoutError(p.method, 'disconnected', `The NinjaTrader add-on disconnected before answering ${p.method} (${why}).`));
    }
    this.lastSeq = null;
    this.resyncing = false;
    if (wasReady) {
      this.mirror.stale = true;
      this.disconnectReason = why;
      this.activity('disconnect', `NinjaTrader add-on disconnected: ${why}`);
      this.setStatus('disconnected');
    }
  }

  // ------------------------------------------------------------------ messages

  private onMessage(conn: Conn, data: RawData, isBinary: boolean): void {
    if (conn !== this.conn || conn.phase === 'closed') return;
    conn.lastSeen = performance.now();
    this.yieldWhenBusy(conn);
    if (isBinary) return this.dropped('binary frame');
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString());
    } catch {
      return this.dropped('not valid JSON');
    }
    if (conn.phase === 'hello') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        return this.refuse(conn, 'hello_expected', 'The first message must be a hello object.');
      }
      return this.onHello(conn, raw as Record<string, unknown>);
    }
    const r = parseAddonMessage(raw);
    if (!r.ok) return r.eventSeq !== undefined ? this.onBadEvent(r.eventSeq, r.error, r.eventKind, r.eventAccount ?? null) : this.dropped(r.error);
    const msg = r.message;
    switch (msg.type) {
      case 'event':
        return this.onEvent(msg.seq, msg.event);
      case 'snapshot':
        return this.onSnapshot(msg);
      case 'response': {
        const p = this.pending.get(msg.id);
        if (!p) return this.activity('error', `Ignored an answer to unknown or expired request ${msg.id}`);
        this.pending.delete(msg.id);
        clearTimeout(p.timer);
        if (!msg.ok) return p.reject(new AddonRequestError(msg.error.code, msg.error.message));
        if (p.method === 'snapshot') {
          return p.reject(new AddonRequestError('internal', 'The add-on answered snapshot with a response instead of a snapshot message.'));
        }
        const res = methods[p.method].result.safeParse(msg.result);
        if (!res.success) {
          const why = describeIssues(res.error);
          this.activity('error', `Malformed result for ${p.method} (${msg.id}) from the add-on: ${why}`);
          return p.reject(new AddonTimeoutError(p.method, 'malformed_result', `The add-on's answer to ${p.method} was malformed (${why}).`));
        }
        return p.resolve(res.data);
      }
      case 'hello':
        return this.dropped('hello after the handshake');
      case 'pong':
      case 'heartbeat':
        return;
    }
  }

  /** Past SLICE_MS in this turn: pause reading the add-on until the next turn (others get theirs first). */
  private yieldWhenBusy(conn: Conn): void {
    if (this.sliceStart < 0) {
      this.sliceStart = conn.lastSeen;
      setImmediate(() => (this.sliceStart = -1));
    } else if (conn.lastSeen - this.sliceStart > SLICE_MS && !conn.ws.isPaused) {
      conn.ws.pause();
      setImmediate(() => conn.ws.resume());
    }
  }

  private dropped(why: string): void {
    this.activity('error', `Dropped a malformed message from the add-on: ${why}`);
  }

  /** Sequence bookkeeping shared by good and bad events; false = before the first snapshot (ignore). */
  private advance(seq: number): boolean {
    // Before the first snapshot of a connection there is no baseline: the snapshot covers it.
    if (this.lastSeq === null) return false;
    if (seq !== this.lastSeq + 1) {
      this.activity('gap', `Event sequence gap: expected ${this.lastSeq + 1}, got ${seq}; requesting a fresh snapshot`);
      if (!this.resyncing) this.requestSnapshot();
    }
    this.lastSeq = seq;
    return true;
  }

  /** A well-addressed event with a bad payload: its seq counts (no resnapshot), the event is skipped and reported. */
  private onBadEvent(seq: number, error: string, kind: string | undefined, account: string | null): void {
    if (!this.advance(seq)) return;
    const what = kind === undefined ? 'event' : `${/^[a-z]{1,20}$/.test(kind) ? kind : JSON.stringify(kind).slice(0, 40)} event`;
    this.activity('skipped', `Skipped ${what} ${seq} from the add-on: ${error.replace(/^invalid event message: /, '')}`, account);
    // An order or position update the companion could not read: that account's exposure is not fully known.
    if (kind === 'order' || kind === 'position' || kind === undefined) {
      this.mirror.markIncomplete(account, `NinjaTrader sent ${kind === undefined ? 'an update' : `an ${kind} update`} the companion could not read (event ${seq}; see the activity log)`);
    }
  }

  private onEvent(seq: number, event: DomainEvent): void {
    if (!this.advance(seq)) return;
    if (event.kind === 'quote') {
      this.mirror.apply(event);
      this.emit('event', event);
      return;
    }
    this.noteUnknowns(event);
    // The link state lists accounts and connections: tell the dashboard when those change.
    const prev = event.kind === 'account' ? this.mirror.account(event.account.name) : undefined;
    const linkChanged =
      event.kind === 'connection' ||
      (event.kind === 'account' &&
        (!prev || prev.connection !== event.account.connection || prev.connectionStatus !== event.account.connectionStatus || prev.priceStatus !== event.account.priceStatus));
    this.mirror.apply(event);
    if (linkChanged) this.emitState();
    if (event.kind === 'order') this.activity('order', describeOrder(event.order), event.order.account);
    else if (event.kind === 'execution') this.activity('execution', describeExecution(event.execution, this.mirror.account(event.execution.account)?.currency), event.execution.account);
    this.emit('event', event);
  }

  private onSnapshot(msg: ParsedSnapshot): void {
    this.mirror.replace(msg);
    this.lastSeq = msg.seq;
    this.resyncing = false;
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      if (p && p.method === 'snapshot') {
        this.pending.delete(msg.id);
        clearTimeout(p.timer);
        const { v: _v, type: _t, id: _i, seq: _s, skipped: _k, ...state } = msg;
        p.resolve(state);
      }
    }
    const skipped = msg.skipped.length ? `; skipped ${msg.skipped.length} malformed record(s)` : '';
    this.activity(
      'snapshot',
      `Snapshot: ${msg.accounts.length} account(s), ${msg.positions.length} position(s), ${msg.orders.length} order(s)${skipped}`,
      EVERY_ACCOUNT,
    );
    // Each skipped record is told to the account it names (or to the person only when it names none).
    // A connection serves accounts of several grants: its rows are the person's only.
    for (const k of msg.skipped) {
      this.activity('skipped', `Snapshot: ${k.message}`, k.account ?? EVERY_ACCOUNT);
      if (k.list === 'orders' || k.list === 'positions') {
        this.mirror.markIncomplete(k.account, `NinjaTrader's snapshot had ${k.list === 'orders' ? 'an order' : 'a position'} the companion could not read (${k.message.replace(/^skipped /, '')})`);
      }
    }
    for (const a of msg.accounts) this.noteUnknowns({ kind: 'account', account: a });
    for (const c of msg.connections ?? []) this.noteUnknowns({ kind: 'connection', connection: c });
    for (const p of msg.positions) this.noteUnknowns({ kind: 'position', position: p });
    for (const o of msg.orders) this.noteUnknowns({ kind: 'order', order: o });
    for (const e of msg.executions) this.noteUnknowns({ kind: 'execution', execution: e });
    this.emit('snapshot');
    this.emitState();
  }

  /** Logs each enum value this companion does not know once per (entity field, raw text). */
  private noteUnknowns(event: DomainEvent): void {
    let u: UnknownValues | undefined;
    let what = '';
    let account: string | null = null;
    switch (event.kind) {
      case 'account':
        ({ unknownValues: u } = event.account);
        what = `account ${event.account.name}`;
        account = event.account.name;
        break;
      case 'connection':
        ({ unknownValues: u } = event.connection);
        what = `connection ${event.connection.connection}`;
        account = EVERY_ACCOUNT; // a connection serves several grants' accounts: the person's row
        break;
      case 'position':
        ({ unknownValues: u } = event.position);
        what = `the ${event.position.instrument} position on ${event.position.account}`;
        account = event.position.account;
        break;
      case 'order':
        ({ unknownValues: u } = event.order);
        what = `order ${event.order.orderId} on ${event.order.account}`;
        account = event.order.account;
        break;
      case 'execution':
        ({ unknownValues: u } = event.execution);
        what = `execution ${event.execution.executionId} on ${event.execution.account}`;
        account = event.execution.account;
        break;
      case 'quote':
        return;
    }
    if (!u) return;
    for (const [field, raw] of Object.entries(u)) {
      const key = `${event.kind}.${field}\u0000${raw}`;
      if (this.unknownSeen.has(key)) continue;
      if (this.unknownSeen.size >= 10_000) this.unknownSeen.clear(); // bounded: a flood re-logs rather than grows
      this.unknownSeen.add(key);
      this.activity(
        'unknown_value',
        `NinjaTrader sent ${event.kind} ${field} ${JSON.stringify(raw)}, a value this companion does not know (first seen on ${what}); it is shown as Unknown with NinjaTrader's text. Updating the companion may teach it this value.`,
        account,
      );
    }
  }

  private requestSnapshot(): void {
    this.resyncing = true;
    this.request('snapshot', {}).catch((e: Error) => {
      this.resyncing = false;
      if (!(e instanceof AddonDisconnectedError)) this.activity('error', `Snapshot request failed: ${e.message}`);
    });
  }

  // ------------------------------------------------------------------ helpers

  private send(conn: Pick<Conn, 'ws'>, msg: object): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    conn.ws.send(JSON.stringify(msg), (err) => {
      if (err) this.activity('error', `Could not send to the add-on: ${err.message}`);
    });
  }

  private activity(kind: Activity['kind'], message: string, account: string | null = null): void {
    this.emit('activity', { kind, message, account } satisfies Activity);
  }

  private setStatus(status: LinkStatus): void {
    this.status = status;
    this.since = this.now();
    this.emitState();
  }

  private emitState(): void {
    this.emit('state', this.state());
  }

  private detail(hello: HelloMessage | null): string {
    const sim = this.opts.mode === 'simulator';
    switch (this.status) {
      case 'connected':
        if (sim) return 'Connected to the built-in NT8 simulator (simulated)';
        return `Connected to NinjaTrader ${hello?.nt8Version ?? '?'} (add-on ${hello?.addonVersion ?? '?'})${hello?.simulated ? ' (simulated)' : ''}`;
      case 'waiting':
        return sim ? 'Waiting for the built-in NT8 simulator to connect' : 'Waiting for the NinjaTrader add-on to connect';
      case 'disconnected':
        return sim
          ? `The built-in NT8 simulator disconnected (${this.disconnectReason}); waiting for it to reconnect`
          : `Lost the connection to the NinjaTrader add-on (${this.disconnectReason}); waiting for it to reconnect`;
    }
  }
}

function rejectRaw(socket: Duplex, status: number, text: string): void {
  try {
    socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n${status === 401 ? 'WWW-Authenticate: Bearer\r\n' : ''}\r\n${text}`);
  } finally {
    socket.destroy();
  }
}
