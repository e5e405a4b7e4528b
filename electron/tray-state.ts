// What the tray shows for a core Status: which icon, which tooltip, which menu. Pure functions,
// so the words and the choice of icon are tested without Electron.
import type { Status } from '../src/control/contract.ts';
import type { TrayState } from '../build/make-icons.mjs';

export const PRODUCT_NAME = 'NT MCP Companion';

export function pendingCount(status: Status): number {
  return status.pending.consents + status.pending.confirmations;
}

/** Requests waiting outrank the link state: they need the person now. */
export function trayIconState(status: Status): TrayState {
  if (pendingCount(status) > 0) return 'attention';
  return status.link.status;
}

export function linkLine(status: Status): string {
  const sim = status.link.simulated ? ' (simulator)' : '';
  switch (status.link.status) {
    case 'connected':
      return `NinjaTrader: connected${sim}`;
    case 'waiting':
      return 'NinjaTrader: waiting for the NT8 add-on';
    default:
      return 'NinjaTrader: disconnected';
  }
}

export function pendingLine(status: Status): string | null {
  const n = pendingCount(status);
  if (n === 0) return null;
  return n === 1 ? '1 request waiting' : `${n} requests waiting`;
}

/** Windows caps tray tooltips at 127 characters; keep the important lines first. */
export function trayTooltip(status: Status): string {
  const lines = [PRODUCT_NAME, pendingLine(status), linkLine(status), status.killSwitch.engaged ? 'Kill switch engaged' : null];
  const text = lines.filter((l): l is string => l !== null).join('\n');
  return text.length > 127 ? `${text.slice(0, 126)}…` : text;
}
