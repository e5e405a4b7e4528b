// Shared test rig: a real HTTP server on 127.0.0.1:0 routing /addon upgrades to a real AddonLink.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { AddonLink } from '../../src/ninjatrader/link.ts';
import type { Activity, AddonLinkOptions } from '../../src/ninjatrader/link.ts';
import { startSimulatorAddon } from '../../src/simulator/addon.ts';
import { offsetClock } from '../../src/clock.ts';
import type { SimulatorAddon, SimulatorAddonOptions } from '../../src/simulator/addon.ts';

export const SECRET = 'test-pairing-secret-0123456789abcdef';
/** Monday 2 Nov 2026, 10:00 New York: an ordinary trading day, ES/MES/NQ/MNQ/CL/GC front months 12-26. */
export const T0 = Date.UTC(2026, 10, 2, 15, 0, 0);

export interface Rig {
  link: AddonLink;
  url: string;
  activities: Activity[];
  addon(opts?: Partial<SimulatorAddonOptions>): SimulatorAddon;
  close(): Promise<void>;
}

export async function rig(opts: Partial<AddonLinkOptions> = {}): Promise<Rig> {
  // One clock for the link and the add-on, pinned to T0 and running: the tests name T0's contracts,
  // so they pass on any date (the wall clock once rolled GC under them).
  const clock = offsetClock(T0);
  const link = new AddonLink({ pairingSecret: SECRET, mode: 'simulator', now: clock.now, ...opts });
  const activities: Activity[] = [];
  link.on('activity', (a: Activity) => activities.push(a));
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    if (req.url === '/addon') link.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/addon`;
  const addons: SimulatorAddon[] = [];
  return {
    link,
    url,
    activities,
    addon(o = {}) {
      const a = startSimulatorAddon({ url, secret: SECRET, seed: 5, quoteIntervalMs: 0, now: clock.now, reconnectMinMs: 30, reconnectMaxMs: 200, ...o });
      addons.push(a);
      return a;
    },
    async close() {
      await Promise.all(addons.map((a) => a.close()));
      link.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Resolves with the first `event` emission that satisfies `pred`. */
export function once<T = unknown>(em: EventEmitter, event: string, pred: (v: T) => boolean = () => true, timeoutMs = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      em.off(event, on);
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const on = (v: T) => {
      if (!pred(v)) return;
      clearTimeout(timer);
      em.off(event, on);
      resolve(v);
    };
    em.on(event, on);
  });
}

export async function until(cond: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A raw client: collects parsed messages and the close code/reason, or the HTTP status on refusal. */
export function rawClient(url: string, headers: Record<string, string> = { Authorization: `Bearer ${SECRET}` }) {
  const ws = new WebSocket(url, { headers });
  const messages: Record<string, unknown>[] = [];
  let status: number | null = null;
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  opened.catch(() => {});
  ws.on('unexpected-response', (_req, res) => {
    status = res.statusCode ?? null;
    ws.terminate();
  });
  ws.on('error', () => {});
  ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  return { ws, messages, opened, closed, status: () => status, send: (m: unknown) => ws.send(JSON.stringify(m)) };
}

export const HELLO = { v: 1, type: 'hello', addonVersion: '1.0.0', nt8Version: '8.1.4.1', simulated: true, capabilities: [] };
