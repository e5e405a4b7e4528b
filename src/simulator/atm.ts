// ATM strategy templates the simulator ships, as NinjaTrader 8 ships a few with a fresh install
// (Control Center → New → Chart Trader / SuperDOM, "ATM Strategy" drop-down). Each target has its
// own stop: Stop1 and Target1 form one OCO pair, Stop2 and Target2 another (NT8's naming).
import type { AtmTemplate } from '../ninjatrader/protocol.ts';

export const SIM_ATM_TEMPLATES: readonly AtmTemplate[] = [
  { name: '1 Target + Stop', stops: [{ ticks: 8 }], targets: [{ ticks: 16, quantity: 1 }] },
  {
    name: '2 Targets + Breakeven',
    stops: [{ ticks: 10 }, { ticks: 10 }],
    targets: [{ ticks: 10, quantity: 1 }, { ticks: 20, quantity: 1 }],
    // Auto breakeven as NT8's template sets it: once 10 ticks in profit (target 1's distance), the
    // remaining stops move to the entry price.
    breakevenTicks: 10,
  },
  {
    name: '3 Targets Scalper',
    stops: [{ ticks: 6 }, { ticks: 6 }, { ticks: 6 }],
    targets: [{ ticks: 4, quantity: 1 }, { ticks: 8, quantity: 1 }, { ticks: 12, quantity: 1 }],
    breakevenTicks: 4,
  },
];

export function findAtmTemplate(name: string): AtmTemplate | undefined {
  return SIM_ATM_TEMPLATES.find((t) => t.name.toLowerCase() === name.toLowerCase());
}

/**
 * Splits `quantity` contracts over legs in the ratio of their template quantities (largest
 * remainders first, earlier legs winning ties), as NT8 scales an ATM template to an entry of
 * another size. A leg may get 0 (one contract on a two-target template: only Target1 works).
 */
export function splitQuantity(quantity: number, shares: readonly number[]): number[] {
  const total = shares.reduce((a, b) => a + b, 0);
  const exact = shares.map((s) => (quantity * s) / total);
  const out = exact.map(Math.floor);
  let left = quantity - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left === 0) break;
    out[i]! += 1;
    left--;
  }
  return out;
}
