// get_status: the first tool an AI client should call — companion version, NT8 link state
// (simulated or real), kill switch, and the caller's own scope, accounts, limits and policy.
import { z } from 'zod';
import type { AddonLink } from '../ninjatrader/link.ts';
import type { Trading } from '../trading/trading.ts';
import { GrantView } from '../trading/grant-view.ts';
import { scopeIncludes } from '../oauth/policy.ts';
import { ROOTS } from '../ninjatrader/instruments.ts';
import { marketHours, type MarketHours } from '../market/calendar.ts';
import { defineTool, type ToolDef } from './registry.ts';

export function statusTool(deps: { link: AddonLink; trading: Trading; version: string; hours?: MarketHours }): ToolDef {
  const hours = marketHours(deps.hours ?? 'cme');
  return defineTool({
    name: 'get_status',
    title: 'Companion status',
    description:
      'Companion version, NinjaTrader link state (connected / waiting / disconnected; simulated or real NT8), kill switch, and what this client may do: scope, allowed accounts, limits and whether each trade waits for human confirmation.',
    scope: 'mcp:read',
    input: z.object({}).strict(),
    output: z.looseObject({
      version: z.string(),
      link: z.looseObject({
        mode: z.string(),
        status: z.string(),
        simulated: z.boolean(),
        nt8Version: z.string().nullable(),
        addonVersion: z.string().nullable(),
        protocol: z.string().nullable().describe('add-on protocol major.minor while connected ("1.1"; "1.0" for an older add-on)'),
        connections: z
          .array(z.looseObject({ name: z.string(), status: z.string(), priceStatus: z.string().nullable(), accounts: z.array(z.string()) }))
          .describe('NinjaTrader connections of this client\'s accounts: order-routing status, price-feed status (null = not reported), accounts'),
        detail: z.string(),
      }),
      simulated: z.boolean(),
      killSwitch: z.looseObject({ engaged: z.boolean(), since: z.string().nullable() }),
      market: z
        .looseObject({
          hours: z.enum(['cme', '24x7']).describe('cme: the CME Globex calendar; 24x7: a simulator trading around the clock'),
          open: z.array(z.string()).describe('roots whose market is open now'),
          closed: z.array(z.looseObject({ root: z.string(), note: z.string() })).describe('roots whose market is closed now, with when it reopens'),
        })
        .describe('Whether the exchange is open for each root, by the companion\'s clock'),
      client: z.looseObject({
        clientId: z.string(),
        name: z.string(),
        scope: z.string(),
        accounts: z.array(z.string()),
        confirmPolicy: z.string(),
        limits: z.looseObject({ maxOrderQuantity: z.number(), maxPositionPerInstrument: z.number(), maxOrdersPerMinute: z.number() }),
      }),
      riskRules: z
        .array(
          z.looseObject({
            account: z.string(),
            rules: z.looseObject({ onBreach: z.string() }).nullable(),
            locked: z.looseObject({ code: z.string(), reason: z.string(), since: z.string(), until: z.string() }).nullable(),
            pnl: z.number().nullable(),
            room: z.looseObject({ dailyLoss: z.number().nullable(), trailingDrawdown: z.number().nullable(), contractsTotal: z.number().nullable() }),
            breaches: z.array(z.looseObject({ code: z.string(), message: z.string() })),
            summary: z.string(),
          }),
        )
        .describe("The risk rules the person set at the desktop for this client's accounts, the room they leave and any lock (read-only: no tool can change them)"),
    }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    handler: async (_args, ctx) => {
      const g = ctx.grant;
      // Only the granted accounts, like every read tool (src/trading/grant-view.ts).
      const link = new GrantView(deps.trading, g).linkState();
      const kill = deps.trading.killSwitch();
      const at = deps.trading.now();
      const closed = ROOTS.flatMap((root) => {
        const note = hours.describeClosed(root, at);
        return note ? [{ root, note }] : [];
      });
      // Risk rules of the granted accounts that have any (or a lock): read-only here.
      const riskRules = g.accounts.filter((a) => deps.trading.risk.rulesOf(a) || deps.trading.risk.lockOf(a)).map((a) => deps.trading.risk.state(a));
      const open = ROOTS.filter((r) => !closed.some((c) => c.root === r));
      const notes = [...new Set(closed.map((c) => c.note))];
      const text = [
        `NT MCP Companion ${deps.version}. ${link.detail}${link.protocol ? ` (add-on protocol ${link.protocol})` : ''}.`,
        link.connections.length ? `NinjaTrader connections: ${link.connections.map(describeConnection).join('; ')}.` : '',
        // Where orders go: the built-in simulator, or an add-on that says no real NinjaTrader is behind it.
        link.simulated
          ? link.mode === 'simulator'
            ? 'SIMULATED: orders go to the built-in simulator, not to NinjaTrader.'
            : 'SIMULATED: the connected add-on is not backed by a real NinjaTrader (a test harness): orders go to it, and nothing reaches a broker.'
          : '',
        `This client: ${g.scope}; accounts ${g.accounts.join(', ')}; ${g.confirmPolicy === 'always' ? 'every trade waits for human confirmation in the desktop app' : 'trades are not confirmed by a human'}.`,
        // A read grant does not list the trade tools, so say how the person can widen it.
        scopeIncludes(g.scope, 'mcp:trade')
          ? ''
          : 'READ-ONLY: this client cannot place, change or cancel orders. Only the person can change that: they re-authorize this client (in its MCP settings) and tick "Also allow trading" in the NT MCP Companion prompt.',
        `Limits: ≤ ${g.limits.maxOrderQuantity} per order, ≤ ${g.limits.maxPositionPerInstrument} net per instrument, ≤ ${g.limits.maxOrdersPerMinute} orders/min.`,
        hours.mode === '24x7'
          ? 'Market: the simulator trades around the clock (--sim-hours 24x7).'
          : closed.length === 0
            ? 'Market: CME Globex is open.'
            : `Market: ${notes.join(' ')}${open.length ? ` Open: ${open.join(', ')}.` : ''}`,
        ...riskRules.map((r) => `Risk rules (set by the person at the desktop; no tool can change them): ${r.summary}`),
        kill.engaged ? `KILL SWITCH ENGAGED since ${kill.since}: new risk is refused; cancel and flatten still work.` : '',
      ]
        .filter(Boolean)
        .join(' ');
      return {
        text,
        structured: {
          version: deps.version,
          link,
          simulated: link.simulated,
          killSwitch: kill,
          market: { hours: hours.mode, open, closed },
          client: { clientId: g.clientId, name: g.clientName, scope: g.scope, accounts: g.accounts, confirmPolicy: g.confirmPolicy, limits: g.limits },
          riskRules,
        },
      };
    },
  });
}

/** "Rithmic: orders Connected, prices ConnectionLost (Apex-1, Apex-2)" */
export function describeConnection(c: { name: string; status: string; priceStatus: string | null; accounts: string[] }): string {
  const prices = c.priceStatus === null ? 'prices not reported' : `prices ${c.priceStatus}`;
  return `${c.name || '(unnamed)'}: orders ${c.status}, ${prices}${c.accounts.length ? ` (${c.accounts.join(', ')})` : ''}`;
}
