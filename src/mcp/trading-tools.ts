// The NinjaTrader tools (docs/tools.md). Read tools answer from the live mirror (no round trip)
// and say when it is stale; trade tools go through Trading.execute, the one guarded path.
import { z } from 'zod';
import { explainUnresolved, formatPrice, specOf, resolveInstrument, resolveQuoted, rootOnly, rootOfContract, ROOTS, isOnTick, type ResolvedInstrument } from '../ninjatrader/instruments.ts';
import {
  AccountSchema,
  AtmTemplateSchema,
  BarSchema,
  ExecutionSchema,
  OrderSchema,
  PositionSchema,
  QuoteSchema,
  BAR_PERIODS,
  honest,
  type Account,
  type DomainEvent,
  type Order,
  type Quote,
} from '../ninjatrader/protocol.ts';
import { executionOrder, money, orderPrices, timeInForceWords } from '../ninjatrader/activity.ts';
import { defineTool, type ToolContext, type ToolDef } from './registry.ts';
import { randomSecret } from '../util/crypto.ts';
import { asSentence, Refusal } from '../trading/refusal.ts';
import { CLIENT_ORDER_ID_MAX, clientTag, presentOrder, type Trading, type TradeAction, type TradeResult } from '../trading/trading.ts';
import { describeOrder } from '../trading/types.ts';
import { GrantView } from '../trading/grant-view.ts';
import { analyzeJournal, BUCKET_STATS_SHAPE as bucketStats, clientLabel, JOURNAL_TIME_ZONE } from '../trading/journal.ts';
import { marketHours, type MarketHours } from '../market/calendar.ts';

const accountArg = z.string().min(1).max(100).describe('NinjaTrader account name, e.g. "Sim101"');
const optionalAccount = accountArg.optional().describe('NinjaTrader account name; omit for every account this client may see');
const instrumentArg = z
  .string()
  .min(1)
  .max(40)
  .describe(`Instrument: a root ("ES"), an NT8 contract name ("ES 12-26") or a symbol ("ESZ26"). Supported roots: ${ROOTS.join(', ')}`);
const meta = { simulated: z.boolean().describe('true when the data comes from the built-in simulator, not NinjaTrader'), stale: z.boolean().describe('true while the NinjaTrader link is down: data is the last known state') };
const upper = (s: unknown) => (typeof s === 'string' ? s.toUpperCase().replace(/[\s_]/g, '') : s);

const bracketLeg = (what: string) =>
  z
    .object({
      price: z.number().positive().optional().describe(`the ${what} price`),
      ticks: z.number().int().min(1).max(10_000).optional().describe(`the ${what} distance in ticks from the entry's fill price`),
    })
    .strict()
    .refine((l) => (l.price === undefined) !== (l.ticks === undefined), { message: 'give exactly one of price or ticks' });

const PlaceFields = z
  .object({
    account: accountArg,
    instrument: instrumentArg,
    action: z.preprocess(upper, z.enum(['BUY', 'SELL'])).describe('BUY or SELL'),
    quantity: z.number().int().positive().max(10_000).describe('Contracts, a positive whole number'),
    orderType: z.preprocess(upper, z.enum(['MARKET', 'LIMIT', 'STOPMARKET', 'STOPLIMIT', 'MIT'])).default('MARKET').describe('MARKET, LIMIT, STOPMARKET, STOPLIMIT or MIT (market-if-touched: the trigger goes in stopPrice)'),
    limitPrice: z.number().positive().optional().describe('Required for LIMIT and STOPLIMIT'),
    stopPrice: z.number().positive().optional().describe('Required for STOPMARKET and STOPLIMIT; the trigger price of an MIT'),
    timeInForce: z.preprocess(upper, z.enum(['DAY', 'GTC'])).default('DAY').describe('DAY or GTC'),
    ocoId: z.string().min(1).max(64).optional().describe('Orders sharing an ocoId cancel each other when one fills or is cancelled'),
    stopLoss: bracketLeg('stop loss').optional().describe('Bracket stop: { "price": 5990 } or { "ticks": 8 } from the fill. Submitted with takeProfit as one OCO pair when the entry fills, sized to the filled quantity; cancelled if the position is closed otherwise'),
    takeProfit: bracketLeg('take profit').optional().describe('Bracket target: { "price": 6010 } or { "ticks": 16 } from the fill (see stopLoss)'),
    atmTemplate: z.string().min(1).max(128).optional().describe('An NT8 ATM strategy template (see list_atm_templates) that manages this entry\'s stops and targets; not with stopLoss/takeProfit'),
    requireMarketPosition: z.preprocess(upper, z.enum(['FLAT', 'LONG', 'SHORT'])).optional().describe('FLAT, LONG or SHORT: refused (nothing placed, nobody asked) unless the account\'s position in this instrument is as stated'),
    clientOrderId: z
      .string()
      .regex(new RegExp(`^[A-Za-z0-9_.:-]{1,${CLIENT_ORDER_ID_MAX}}$`), `use 1-${CLIENT_ORDER_ID_MAX} letters, digits, _ . : -`)
      .optional()
      .describe(`Idempotency key (1-${CLIENT_ORDER_ID_MAX} characters): a retry with the same id returns the first result and never places a second order. Private to this client: other clients cannot see or address it. Strongly recommended.`),
  });

const oneExitPlan = {
  check: (a: { atmTemplate?: string; stopLoss?: unknown; takeProfit?: unknown }) => a.atmTemplate === undefined || (a.stopLoss === undefined && a.takeProfit === undefined),
  message: { message: 'an ATM template brings its own stops and targets: give atmTemplate or stopLoss/takeProfit, not both', path: ['atmTemplate'] },
};

const PlaceInput = PlaceFields.strict().refine(oneExitPlan.check, oneExitPlan.message);

/** cancel_replace: the order to cancel, then exactly place_order's fields for the new order. */
const ReplaceInput = PlaceFields.extend({
  orderId: z.string().min(1).max(128).describe("NT8 orderId of this client's own working order to cancel (see list_orders)"),
})
  .strict()
  .refine(oneExitPlan.check, oneExitPlan.message);

type PlaceIn = z.infer<typeof PlaceFields>;

const TYPE_MAP = { MARKET: 'Market', LIMIT: 'Limit', STOPMARKET: 'StopMarket', STOPLIMIT: 'StopLimit', MIT: 'MIT' } as const;
const POSITION_MAP = { FLAT: 'Flat', LONG: 'Long', SHORT: 'Short' } as const;

/**
 * A root resolves to the month the link quotes (NinjaTrader, or the simulator following the
 * calendar), so a companion left running across a roll moves to the new front month with it.
 */
function resolve(trading: Trading, input: string): { contract: string; spec: ResolvedInstrument['spec'] } {
  const quoted = trading.link.mirror.allQuotes().map((q) => q.instrument);
  const r = resolveQuoted(input, trading.now(), quoted);
  if (!r) throw new Refusal('unknown_instrument', explainUnresolved(input, trading.now()));
  return { contract: r.contract, spec: r.spec };
}

function toPlaceAction(trading: Trading, a: PlaceIn): Extract<TradeAction, { kind: 'place' }> {
  const { contract, spec } = resolve(trading, a.instrument);
  const type = TYPE_MAP[a.orderType];
  const needsLimit = type === 'Limit' || type === 'StopLimit';
  const needsStop = type === 'StopMarket' || type === 'StopLimit' || type === 'MIT';
  if (needsLimit && a.limitPrice === undefined) throw new Refusal('invalid_arguments', `A ${a.orderType} order needs limitPrice.`);
  if (needsStop && a.stopPrice === undefined) throw new Refusal('invalid_arguments', `A ${a.orderType} order needs stopPrice.`);
  if (!needsLimit && a.limitPrice !== undefined) throw new Refusal('invalid_arguments', `A ${a.orderType} order takes no limitPrice.`);
  if (!needsStop && a.stopPrice !== undefined) throw new Refusal('invalid_arguments', `A ${a.orderType} order takes no stopPrice.`);
  for (const [label, p] of [['limitPrice', a.limitPrice], ['stopPrice', a.stopPrice]] as const) {
    if (p !== undefined && !isOnTick(p, spec.tickSize)) {
      throw new Refusal('invalid_arguments', `The ${label} ${p} is not on the ${spec.root} tick size ${spec.tickSize} (e.g. ${formatPrice(Math.round(p / spec.tickSize) * spec.tickSize, spec)}).`);
    }
  }
  const buy = a.action === 'BUY';
  // The entry's expected price: its limit or stop, else the side of the market it takes now.
  const q = trading.link.mirror.quote(contract);
  const reference = a.limitPrice ?? a.stopPrice ?? (q ? (buy ? q.ask : q.bid) : undefined);
  const f = (x: number) => formatPrice(x, spec);
  for (const [label, leg, below] of [['stopLoss', a.stopLoss, buy], ['takeProfit', a.takeProfit, !buy]] as const) {
    if (leg?.price === undefined) continue;
    if (!isOnTick(leg.price, spec.tickSize)) {
      throw new Refusal('invalid_arguments', `The ${label} price ${leg.price} is not on the ${spec.root} tick size ${spec.tickSize} (e.g. ${f(Math.round(leg.price / spec.tickSize) * spec.tickSize)}).`);
    }
    if (reference !== undefined && (below ? leg.price >= reference : leg.price <= reference)) {
      const side = label === 'stopLoss' ? 'stop' : 'target';
      throw new Refusal(
        'invalid_arguments',
        `The ${label} ${f(leg.price)} is on the wrong side of the entry ${f(reference)}${a.limitPrice ?? a.stopPrice ? '' : ` (the ${buy ? 'ask' : 'bid'} now)`}: a ${buy ? 'long' : 'short'}'s ${side} must be ${below ? 'below' : 'above'} it. Nothing was placed.`,
      );
    }
  }
  return {
    kind: 'place',
    account: a.account,
    instrument: contract,
    action: buy ? 'Buy' : 'Sell',
    orderType: type,
    quantity: a.quantity,
    limitPrice: a.limitPrice,
    stopPrice: a.stopPrice,
    timeInForce: a.timeInForce === 'GTC' ? 'Gtc' : 'Day',
    ocoId: a.ocoId,
    clientOrderId: a.clientOrderId ?? `mcp-${randomSecret(9)}`,
    ...(a.stopLoss ? { stopLoss: a.stopLoss } : {}),
    ...(a.takeProfit ? { takeProfit: a.takeProfit } : {}),
    ...(a.atmTemplate !== undefined ? { atmTemplate: a.atmTemplate } : {}),
    ...(a.requireMarketPosition ? { requireMarketPosition: POSITION_MAP[a.requireMarketPosition] } : {}),
    ...(reference !== undefined ? { reference } : {}),
  };
}

const TradeOutput = z.looseObject({
  status: z.string(),
  message: z.string(),
  orders: z.array(OrderSchema),
  cancelled: z.array(z.string()).optional(),
  clientOrderId: z.string().optional(),
  duplicate: z.boolean().optional(),
  simulated: z.boolean(),
});

const PreviewOutput = z.looseObject({
  allowed: z.boolean().describe('true: place_order would pass every check (and then ask the person when confirmation.required)'),
  refusal: z
    .looseObject({ code: z.string(), message: z.string(), check: z.string().describe('the guard step that refuses: scope, accounts, kill_switch, connected, account_data, measure, limit_order_quantity, limit_position, limit_rate, …') })
    .nullable()
    .describe('what place_order would refuse with, word for word; null when allowed'),
  duplicate: z.boolean().describe('the clientOrderId was already used: place_order would return its first result and place nothing'),
  summary: z.string(),
  account: z.string(),
  instrument: z.string().describe('the contract the order would go to'),
  clientOrderId: z.string().describe('generated when not given: pass your own to place_order to keep it'),
  facts: z.looseObject({
    bid: z.number().nullable(),
    ask: z.number().nullable(),
    quoteTime: z.string().nullable(),
    positionBefore: z.number().nullable().describe('net position in this contract now: + long, − short'),
    positionAfter: z.number().nullable().describe('net position once the order fills completely'),
    notional: z.number().nullable().describe('quantity × price × point value, in dollars'),
    notionalNote: z.string(),
    risk: z
      .looseObject({ stopPrice: z.number(), fromPrice: z.number(), ticks: z.number(), dollars: z.number(), contracts: z.number() })
      .nullable()
      .describe('risk to a protective stop: ticks and dollars from the position\'s average price to the stop; null when no stop protects it (riskNote says why)'),
    riskNote: z.string(),
  }),
  confirmation: z.looseObject({ required: z.boolean().describe('the person at the desktop would be asked to approve it'), reason: z.string() }),
  exposure: z
    .looseObject({ root: z.string(), before: z.number(), after: z.number(), max: z.number() })
    .nullable()
    .describe('the per-client position limit\'s view of the account in this root (all months, working and pending orders included)'),
  marketOpen: z.boolean().describe('false while the exchange is closed for this instrument (NinjaTrader then rejects a market order)'),
  marketNote: z.string().optional(),
  ...meta,
});

const GUARD_NOTE =
  ' Guarded by the companion: it must be within this client\'s accounts and limits; unless the person chose otherwise, ' +
  'the call waits while the person approves or denies it in the NT MCP Companion desktop app (tell the user to look there). ' +
  'A kill switch may refuse new risk. If NinjaTrader does not answer in time the outcome is reported as unknown and is never retried: check the orders before retrying.';

/**
 * `hours`: the market hours behind the link — the CME calendar for NinjaTrader (the real exchange)
 * and the simulator by default, '24x7' for a simulator started with --sim-hours 24x7.
 */
export function tradingTools(trading: Trading, opts: { hours?: MarketHours } = {}): ToolDef[] {
  const link = trading.link;
  const hours = marketHours(opts.hours ?? 'cme');
  const stale = () => link.mirror.stale || link.state().status !== 'connected';
  const simulated = () => link.state().simulated;
  const tag = () => (simulated() ? ' [SIMULATED]' : '') + (stale() ? ' [STALE: NinjaTrader link is down; last known data]' : '');
  // Read tools see the companion only through the caller's grant: one filter for every answer.
  const viewOf = (ctx: ToolContext) => new GrantView(trading, ctx.grant);
  const run = async (ctx: ToolContext, tool: string, action: TradeAction): Promise<{ text: string; structured: TradeResult }> => {
    const r = await trading.execute(ctx.grant, tool, action, {
      signal: ctx.signal,
      onWaiting: (w) => ctx.progress({ progress: w.elapsedMs / 1000, total: w.totalMs / 1000, message: w.message }),
    });
    return { text: `${r.message}${r.simulated ? ' [SIMULATED]' : ''}`, structured: { ...r, orders: r.orders.map((o) => presentOrder(ctx.grant.clientId, o)) } };
  };

  return [
    defineTool({
      name: 'list_accounts',
      title: 'List accounts',
      description: 'Lists the NinjaTrader accounts this client may see: name and display name, currency, connection with its order-routing and price-feed statuses, cash value, buying power, net liquidation and P&L (in the account\'s currency).',
      scope: 'mcp:read',
      input: z.object({}).strict(),
      output: z.looseObject({ accounts: z.array(AccountSchema), ...meta }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      handler: async (_a, ctx) => {
        const accounts = viewOf(ctx).reportedAccounts();
        const lines = accounts.map((a) => {
          const m = (x: number) => money(x, a.currency);
          return `${accountTitle(a)}: net liq ${m(a.items.netLiquidation)}, realized ${m(a.items.realizedPnL)}, unrealized ${m(a.items.unrealizedPnL)}; ${connectionWords(a)}`;
        });
        return { text: `${accounts.length} account(s)${tag()}\n${lines.join('\n')}`, structured: { accounts, simulated: simulated(), stale: stale() } };
      },
    }),
    defineTool({
      name: 'get_account_summary',
      title: 'Account summary',
      description: 'One account: display name, currency, connection statuses (orders and prices), cash value, buying power, net liquidation, realized and unrealized P&L, the margin and other items NinjaTrader reports, open positions and working orders count.',
      scope: 'mcp:read',
      input: z.object({ account: accountArg }).strict(),
      output: z.looseObject({ account: AccountSchema, openPositions: z.number(), workingOrders: z.number(), ...meta }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      handler: async (a, ctx) => {
        const view = viewOf(ctx);
        const acct = view.account(a.account);
        if (!acct) throw new Refusal('unknown_account', `NinjaTrader does not report an account "${a.account}" right now.`);
        const openPositions = view.positions(a.account).filter((p) => p.marketPosition !== 'Flat').length;
        const workingOrders = view.orders(a.account, { working: true }).length;
        const i = acct.items;
        const m = (x: number) => money(x, acct.currency);
        const extra = (Object.keys(ITEM_WORDS) as (keyof typeof ITEM_WORDS)[]).flatMap((k) => (i[k] === undefined ? [] : [`${ITEM_WORDS[k]} ${m(i[k])}`]));
        return {
          text: `${accountTitle(acct)}${tag()}: cash ${m(i.cashValue)}, buying power ${m(i.buyingPower)}, net liq ${m(i.netLiquidation)}, realized ${m(i.realizedPnL)}, unrealized ${m(i.unrealizedPnL)}${extra.length ? `; ${extra.join(', ')}` : ''}; ${connectionWords(acct)}; ${openPositions} position(s), ${workingOrders} working order(s).`,
          structured: { account: acct, openPositions, workingOrders, simulated: simulated(), stale: stale() },
        };
      },
    }),
    defineTool({
      name: 'list_positions',
      title: 'List positions',
      description: 'Open positions (instrument, long/short, quantity, average price, unrealized P&L in the account\'s currency).',
      scope: 'mcp:read',
      input: z.object({ account: optionalAccount }).strict(),
      output: z.looseObject({ positions: z.array(PositionSchema), ...meta }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      handler: async (a, ctx) => {
        const view = viewOf(ctx);
        const positions = view.positions(a.account).filter((p) => p.marketPosition !== 'Flat');
        const lines = positions.map((p) => `${p.account} ${p.instrument}: ${honest(p.marketPosition, p, 'marketPosition')} ${p.quantity} @ ${p.averagePrice} (unrealized ${money(p.unrealizedPnL, currencyOf(view.account(p.account)))})`);
        const note = incompleteNote(trading, view.accounts(a.account));
        return { text: `${positions.length ? `${positions.length} open position(s)${tag()}\n${lines.join('\n')}` : `No open positions.${tag()}`}${note}`, structured: { positions, simulated: simulated(), stale: stale() } };
      },
    }),
    defineTool({
      name: 'list_orders',
      title: 'List orders',
      description: 'Orders on the allowed accounts: working ones by default, or all (including filled, cancelled and rejected).',
      scope: 'mcp:read',
      input: z.object({ account: optionalAccount, status: z.enum(['working', 'all']).default('working') }).strict(),
      output: z.looseObject({ orders: z.array(OrderSchema), ...meta }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      handler: async (a, ctx) => {
        // Every order on the account is shown (it is the account's real exposure), but another
        // client's clientOrderId is not: the view shows its name as "another MCP client".
        const orders = viewOf(ctx).orders(a.account, a.status === 'working' ? { working: true } : {});
        orders.sort((x, y) => x.time.localeCompare(y.time));
        const none = a.status === 'working' ? 'No working orders.' : 'No orders yet (working, filled, cancelled or rejected).';
        const note = incompleteNote(trading, viewOf(ctx).accounts(a.account));
        return { text: `${orders.length ? `${orders.length} ${a.status === 'working' ? 'working ' : ''}order(s)${tag()}\n${orders.map(orderLine).join('\n')}` : `${none}${tag()}`}${note}`, structured: { orders, simulated: simulated(), stale: stale() } };
      },
    }),
    defineTool({
      name: 'get_order',
      title: 'Get one order',
      description: 'One order by NT8 order id or by the clientOrderId given to place_order (use it to reconcile an unknown outcome).',
      scope: 'mcp:read',
      input: z.object({ account: accountArg, orderId: z.string().min(1).max(128).optional(), clientOrderId: z.string().min(1).max(128).optional() }).strict(),
      output: z.looseObject({ order: OrderSchema, ...meta }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      handler: async (a, ctx) => {
        const key = a.orderId ?? a.clientOrderId;
        if (!key) throw new Refusal('invalid_arguments', 'Give orderId or clientOrderId.');
        // orderId is NT8's id only; clientOrderId is this client's own (namespaced) name only.
        const order = a.orderId !== undefined ? viewOf(ctx).orderById(a.account, a.orderId) : viewOf(ctx).ownOrder(a.account, a.clientOrderId!);
        if (!order) throw new Refusal('unknown_order', `No order "${key}" on ${a.account}.${stale() ? ' (The NinjaTrader link is down; the list may be out of date.)' : ''}`);
        return { text: `${orderLine(order)}${tag()}`, structured: { order, simulated: simulated(), stale: stale() } };
      },
    }),
    defineTool({
      name: 'list_executions',
      title: 'List executions',
      description: 'Fills (executions) on the allowed accounts, newest first, optionally for one order. A fill NinjaTrader reports without an order (ATM stops and targets, manual fills) has orderId null.',
      scope: 'mcp:read',
      input: z.object({ account: optionalAccount, orderId: z.string().min(1).max(128).optional(), limit: z.number().int().min(1).max(500).default(50) }).strict(),
      output: z.looseObject({ executions: z.array(ExecutionSchema), ...meta }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      handler: async (a, ctx) => {
        const view = viewOf(ctx);
        const executions = view
          .executions(a.account, a.orderId ? { orderId: a.orderId } : {})
          .sort((x, y) => y.time.localeCompare(x.time))
          .slice(0, a.limit);
        const lines = executions.map((e) => {
          const pos = e.marketPosition ? `, ${honest(e.marketPosition, e, 'marketPosition')}` : '';
          return `${e.time} ${e.account} ${honest(e.action, e, 'action')} ${e.quantity} ${e.instrument} @ ${e.price}${pos} (${executionOrder(e)}, commission ${money(e.commission, currencyOf(view.account(e.account)))})`;
        });
        return { text: executions.length ? `${executions.length} execution(s)${tag()}\n${lines.join('\n')}` : `No executions.${tag()}`, structured: { executions, simulated: simulated(), stale: stale() } };
      },
    }),
    defineTool({
      name: 'get_quote',
      title: 'Get quote',
      description: 'Last bid, ask and last trade for an instrument, with bid/ask sizes, the session high, low, volume and settlement when NinjaTrader reports them, tick size and point value. An instrument not streamed yet is subscribed first (when the add-on supports it) and the first quote awaited for up to 2 seconds.',
      scope: 'mcp:read',
      input: z.object({ instrument: instrumentArg }).strict(),
      output: z.looseObject({
        quote: QuoteSchema,
        tickSize: z.number(),
        pointValue: z.number(),
        marketOpen: z.boolean().describe('false while CME Globex is closed for this instrument (the quote then stands still)'),
        marketNote: z.string().optional().describe('when closed: why, and when the market reopens'),
        ...meta,
      }),
      annotations: { readOnlyHint: true, idempotentHint: false, openWorldHint: false },
      handler: async (a) => {
        const { contract, spec } = resolve(trading, a.instrument);
        const quote = link.mirror.quote(contract) ?? (await subscribeAndWait(trading, contract));
        const closed = hours.describeClosed(spec.root, trading.now());
        const f = (x: number) => formatPrice(x, spec);
        const size = (x: number | null | undefined) => (x === undefined || x === null ? '' : ` (${x})`);
        const day = [
          quote.dailyHigh != null ? `high ${f(quote.dailyHigh)}` : '',
          quote.dailyLow != null ? `low ${f(quote.dailyLow)}` : '',
          quote.dailyVolume != null ? `volume ${quote.dailyVolume}` : '',
          quote.settlement != null ? `settlement ${f(quote.settlement)}` : '',
        ].filter(Boolean);
        return {
          text: `${contract}${tag()}: bid ${f(quote.bid)}${size(quote.bidSize)} / ask ${f(quote.ask)}${size(quote.askSize)}, last ${f(quote.last)} at ${quote.time}${day.length ? `; session ${day.join(', ')}` : ''} (tick ${spec.tickSize} = $${spec.tickValue})${closed ? ` — ${closed}` : ''}`,
          structured: { quote, tickSize: spec.tickSize, pointValue: spec.pointValue, marketOpen: closed === null, ...(closed ? { marketNote: closed } : {}), simulated: simulated(), stale: stale() },
        };
      },
    }),
    defineTool({
      name: 'get_bars',
      title: 'Get historical bars',
      description:
        'Historical OHLCV bars for an instrument, oldest first: period tick, second, minute, range or day, `value` units per bar (e.g. 5-minute; ticks per bar for range), either the last `count` bars or `from` (and optionally `to`) ISO dates, and optionally an NT8 trading-hours template (default: the instrument\'s own).',
      scope: 'mcp:read',
      input: z
        .object({
          instrument: instrumentArg,
          period: z.enum(BAR_PERIODS).default('minute').describe('tick, second, minute, range or day'),
          value: z.number().int().min(1).max(1440).default(1).describe('units per bar: 5 with minute = 5-minute bars; ticks per bar for range (1-1440)'),
          count: z.number().int().min(1).max(5000).optional().describe('the last N bars (1-5000); default 100 when from is not given'),
          from: z.string().min(1).max(40).optional().describe('ISO 8601 start, e.g. "2026-11-02T14:30:00Z" (instead of count)'),
          to: z.string().min(1).max(40).optional().describe('ISO 8601 end (with from); default now'),
          tradingHours: z.string().min(1).max(128).optional().describe('NT8 trading-hours template name, e.g. "CME US Index Futures RTH"; default the instrument\'s own'),
        })
        .strict(),
      output: z.looseObject({ instrument: z.string(), period: z.string(), value: z.number(), bars: z.array(BarSchema), tradingHours: z.string().optional(), simulated: z.boolean() }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      handler: async (a) => {
        const { contract } = resolve(trading, a.instrument);
        const range = barRange(a, trading.now());
        trading.assertConnected();
        let result;
        try {
          result = await link.request(
            'getBars',
            { instrument: contract, period: a.period, ...(a.value !== 1 ? { value: a.value } : {}), ...range, ...(a.tradingHours ? { tradingHours: a.tradingHours } : {}) },
            { timeoutMs: trading.opts.addonTimeoutMs },
          );
        } catch (e) {
          throw new Refusal((e as { code?: string }).code ?? 'addon_error', `NinjaTrader could not return bars: ${asSentence((e as Error).message)}`);
        }
        const { bars } = result;
        const last = bars[bars.length - 1];
        const label = a.value === 1 ? a.period : `${a.value}-${a.period}`;
        return {
          text: `${bars.length} ${label} bar(s) for ${contract}${result.tradingHours ? ` (${result.tradingHours})` : ''}${simulated() ? ' [SIMULATED]' : ''}${last ? `; last close ${last.close} at ${last.time}` : ''}`,
          structured: { instrument: contract, period: a.period, value: a.value, bars, ...(result.tradingHours ? { tradingHours: result.tradingHours } : {}), simulated: simulated() },
        };
      },
    }),
    defineTool({
      name: 'list_atm_templates',
      title: 'List ATM strategy templates',
      description: 'The NT8 ATM strategy templates place_order can start on an entry (atmTemplate): each with its stops and targets in ticks from the fill (Stop1 pairs with Target1 in an OCO, and so on), the targets\' share of the quantity, and the auto-breakeven trigger when set.',
      scope: 'mcp:read',
      input: z.object({}).strict(),
      output: z.looseObject({ templates: z.array(AtmTemplateSchema), simulated: z.boolean() }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      handler: async () => {
        trading.assertConnected();
        let templates;
        try {
          ({ templates } = await link.request('listAtmTemplates', {}, { timeoutMs: trading.opts.addonTimeoutMs }));
        } catch (e) {
          throw new Refusal((e as { code?: string }).code ?? 'addon_error', `NinjaTrader could not list ATM strategy templates: ${asSentence((e as Error).message)}`);
        }
        const lines = templates.map((t) => {
          const legs = t.targets.map((g, i) => `target ${i + 1}: ${g.ticks} ticks × ${g.quantity}, stop ${(t.stops[i] ?? t.stops[t.stops.length - 1]!).ticks} ticks`);
          return `${t.name}: ${legs.join('; ')}${t.breakevenTicks ? `; breakeven after ${t.breakevenTicks} ticks in profit` : ''}`;
        });
        return {
          text: templates.length ? `${templates.length} ATM strategy template(s)${simulated() ? ' [SIMULATED]' : ''}\n${lines.join('\n')}` : 'NinjaTrader has no ATM strategy templates.',
          structured: { templates, simulated: simulated() },
        };
      },
    }),
    defineTool({
      name: 'get_watermarks',
      title: 'Session watermarks',
      description: 'Per-account session high-water marks of P&L, net liquidation and unrealized P&L, with current values. Sessions start at 18:00 America/New_York. Useful for trailing-drawdown and daily-loss rules.',
      scope: 'mcp:read',
      input: z.object({ account: optionalAccount }).strict(),
      output: z.looseObject({
        watermarks: z.array(z.looseObject({ account: z.string(), sessionStart: z.string(), pnl: z.number(), pnlHigh: z.number(), netLiquidation: z.number(), netLiquidationHigh: z.number(), unrealized: z.number(), unrealizedHigh: z.number(), positions: z.number() })),
        ...meta,
      }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      handler: async (a, ctx) => {
        const watermarks = viewOf(ctx).watermarks(a.account);
        const lines = watermarks.map((w) => `${w.account}: P&L $${w.pnl} (high $${w.pnlHigh}), net liq $${w.netLiquidation} (high $${w.netLiquidationHigh}), unrealized $${w.unrealized} (high $${w.unrealizedHigh})`);
        return { text: `Session since ${watermarks[0]?.sessionStart ?? '?'}${tag()}\n${lines.join('\n')}`, structured: { watermarks, simulated: simulated(), stale: stale() } };
      },
    }),
    defineTool({
      name: 'get_journal',
      title: 'Trade journal',
      description:
        'Round-trip trades built from executions (FIFO), newest first: entry, exit, quantity, P&L in dollars after commission, holding time, ' +
        'MFE/MAE (maximum favourable / adverse excursion of the last price while the trade was open, in ticks and dollars; null when the companion did not watch the whole trade), ' +
        'the client and ATM strategy that opened it. With summaries of the trades listed: overall (win rate, net and average P&L, average holding time and MFE/MAE), ' +
        'per client, per ATM strategy, and by hour of day and day of week of the entry in New York time (America/New_York).',
      scope: 'mcp:read',
      input: z.object({ account: optionalAccount, instrument: instrumentArg.optional(), limit: z.number().int().min(1).max(500).default(50).describe('the newest round trips to list and summarize') }).strict(),
      output: z.looseObject({
        trades: z.array(
          z.looseObject({
            account: z.string(), instrument: z.string(), side: z.string(), quantity: z.number(), entryTime: z.string(), entryPrice: z.number(), exitTime: z.string(), exitPrice: z.number(),
            pnl: z.number(), commission: z.number(), durationSeconds: z.number().describe('holding time'), simulated: z.boolean(),
            high: z.number().nullable().describe('highest last price while open; null = not watched the whole time'),
            low: z.number().nullable().describe('lowest last price while open; null = not watched the whole time'),
            mfeTicks: z.number().nullable(), maeTicks: z.number().nullable(),
            mfe: z.number().nullable().describe('dollars, for the round trip\'s quantity'), mae: z.number().nullable().describe('dollars, for the round trip\'s quantity, ≥ 0'),
            client: z.string().describe('"you", "another MCP client", "not placed through MCP" or "unknown (recorded before attribution)"'),
            atm: z.string().describe('the ATM strategy that managed it, or "none"'),
          }),
        ),
        totalPnl: z.number(),
        summary: z.looseObject({ ...bucketStats, avgHoldingSeconds: z.number(), avgMfeTicks: z.number().nullable(), avgMaeTicks: z.number().nullable(), mfeMaeKnown: z.number() }),
        byClient: z.array(z.looseObject({ client: z.string(), ...bucketStats })),
        byAtm: z.array(z.looseObject({ atm: z.string(), ...bucketStats })),
        byHour: z.array(z.looseObject({ hour: z.number().int().min(0).max(23), ...bucketStats })).describe('hour of the entry in timeZone'),
        byDayOfWeek: z.array(z.looseObject({ day: z.string(), ...bucketStats })).describe('weekday of the entry in timeZone'),
        timeZone: z.string(),
      }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      handler: async (a, ctx) => {
        const instrument = a.instrument ? resolve(trading, a.instrument).contract : undefined;
        const view = viewOf(ctx);
        const viewer = clientTag(view.grant.clientId);
        const rows = view.journal(a.account, { limit: a.limit, instrument });
        const analytics = analyzeJournal(rows, viewer);
        // The raw client tag stays inside: a client sees "you" or "another MCP client", never another's tag.
        const trades = rows.map(({ clientTag: tag, atm, ...t }) => ({ ...t, client: clientLabel(tag, viewer), atm: atm ?? 'none' }));
        const totalPnl = analytics.summary.netPnl;
        const ex = (t: (typeof trades)[number]) => (t.mfeTicks === null ? 'MFE/MAE unknown' : `MFE ${t.mfeTicks}t $${t.mfe!.toFixed(2)} / MAE ${t.maeTicks}t $${t.mae!.toFixed(2)}`);
        const lines = trades.map((t) => `${t.exitTime} ${t.account} ${t.side} ${t.quantity} ${t.instrument} ${t.entryPrice} → ${t.exitPrice}: $${t.pnl.toFixed(2)} (${t.durationSeconds}s; ${ex(t)}; ${t.client}${t.atm === 'none' ? '' : `; ATM ${t.atm}`})${t.simulated ? ' [sim]' : ''}`);
        const s = analytics.summary;
        const pct = (x: number) => `${Math.round(x * 100)}%`;
        const usd = (x: number) => `${x < 0 ? '-' : ''}$${Math.abs(x).toFixed(2)}`;
        const bucket = (label: string, b: { count: number; winRate: number; netPnl: number }) => `${label}: ${b.count} (${pct(b.winRate)} won, ${usd(b.netPnl)})`;
        const text = trades.length
          ? [
              `${trades.length} trade(s), total ${usd(totalPnl)}, ${pct(s.winRate)} won, average ${usd(s.avgPnl)}, held ${s.avgHoldingSeconds}s on average` +
                (s.mfeMaeKnown ? `, average MFE ${s.avgMfeTicks} ticks / MAE ${s.avgMaeTicks} ticks (${s.mfeMaeKnown} with a known price path)` : ''),
              `By client: ${analytics.byClient.map((b) => bucket(b.client, b)).join('; ')}`,
              `By ATM: ${analytics.byAtm.map((b) => bucket(b.atm, b)).join('; ')}`,
              `By entry hour (New York): ${analytics.byHour.map((b) => bucket(`${String(b.hour).padStart(2, '0')}h`, b)).join('; ')}`,
              `By weekday (New York): ${analytics.byDayOfWeek.map((b) => bucket(b.day, b)).join('; ')}`,
              ...lines,
            ].join('\n')
          : 'No completed round trips yet.';
        return { text, structured: { trades, totalPnl, ...analytics, timeZone: JOURNAL_TIME_ZONE } };
      },
    }),
    defineTool({
      name: 'get_activity_log',
      title: 'Add-on activity',
      description: 'The NinjaTrader link\'s activity, newest first: add-on connects and disconnects, refusals and protocol errors, and the order and execution events of the accounts this client may see.',
      scope: 'mcp:read',
      input: z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict(),
      output: z.looseObject({ activity: z.array(z.looseObject({ id: z.number(), ts: z.string(), kind: z.string(), message: z.string(), account: z.string().nullable().describe('the account the row is about; null = the link itself') })) }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      handler: async (a, ctx) => {
        const { rows } = viewOf(ctx).activity({ limit: a.limit });
        return { text: rows.length ? rows.map((r) => `${r.ts} [${r.kind}] ${r.message}`).join('\n') : 'No activity recorded.', structured: { activity: rows } };
      },
    }),

    // ───────────── trade tools (mcp:trade) ─────────────
    defineTool({
      name: 'place_order',
      title: 'Place order',
      description: `Places an order (MARKET, LIMIT, STOPMARKET, STOPLIMIT, MIT; DAY or GTC; optional OCO), optionally with a bracket (stopLoss and/or takeProfit, by price or ticks from the fill: submitted as one OCO pair when the entry fills) or an NT8 ATM strategy template (atmTemplate; see list_atm_templates), and optionally only if the position is as stated (requireMarketPosition). Bracket and ATM stops and targets are exits of the entry: they do not count again against this client's limits. An accepted order is submitted, not necessarily filled: check list_orders / list_positions. Pass a clientOrderId and reuse it on retries.${GUARD_NOTE}`,
      scope: 'mcp:trade',
      input: PlaceInput,
      output: TradeOutput,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
      handler: async (a, ctx) => run(ctx, 'place_order', toPlaceAction(trading, a)),
    }),
    defineTool({
      name: 'preview_order',
      title: 'Preview order',
      description:
        'Dry run of place_order with the same arguments: runs every check place_order runs (scope, accounts, kill switch, link, limits, rate) and says whether it would go through or which check would refuse it and why (the same code and sentence), ' +
        'with the current bid/ask, the position before and after, the notional, the risk to the stop in ticks and dollars, and whether the person at the desktop would be asked to approve it. ' +
        'Sends nothing, reserves nothing, asks nobody, and does not count against the rate or position limits.',
      scope: 'mcp:read',
      input: PlaceInput,
      output: PreviewOutput,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      handler: async (a, ctx) => {
        const action = toPlaceAction(trading, a);
        const p = trading.preview(ctx.grant, 'place_order', action);
        const spec = specOf(action.instrument);
        const closed = spec ? hours.describeClosed(spec.root, trading.now()) : null;
        const f = p.facts;
        const px = (n: number | null) => (n === null ? '—' : spec ? formatPrice(n, spec) : String(n));
        const lines = [
          p.allowed
            ? `Would be accepted: ${p.summary}.${p.confirmation.required ? ' The person at the desktop would be asked to approve it.' : ' It would be sent without asking the person.'}`
            : p.duplicate
              ? `Would place nothing new: clientOrderId "${action.clientOrderId}" was already used; place_order would return its first result.`
              : `Would be refused by the ${p.refusal!.check} check [${p.refusal!.code}]: ${p.refusal!.message}`,
          `Bid ${px(f.bid)} / ask ${px(f.ask)}. Position in ${action.instrument}: ${f.positionBefore ?? '—'} → ${f.positionAfter ?? '—'} if filled.`,
          `Notional: ${f.notional === null ? 'not known' : `$${f.notional.toFixed(2)}`} (${f.notionalNote})`,
          `Risk to the stop: ${f.risk ? `${f.risk.ticks} ticks, $${f.risk.dollars.toFixed(2)} (${f.riskNote})` : f.riskNote}`,
          ...(closed ? [`Market: ${closed}`] : []),
        ];
        return {
          text: lines.join('\n') + tag(),
          structured: {
            ...p,
            instrument: action.instrument,
            clientOrderId: action.clientOrderId,
            marketOpen: closed === null,
            ...(closed ? { marketNote: closed } : {}),
            simulated: simulated(),
            stale: stale(),
          },
        };
      },
    }),
    defineTool({
      name: 'modify_order',
      title: 'Modify order',
      description: `Changes a working order's quantity, limit price or stop price.${GUARD_NOTE}`,
      scope: 'mcp:trade',
      input: z
        .object({ account: accountArg, orderId: z.string().min(1).max(128), quantity: z.number().int().positive().max(10_000).optional(), limitPrice: z.number().positive().optional(), stopPrice: z.number().positive().optional() })
        .strict()
        .refine((v) => v.quantity !== undefined || v.limitPrice !== undefined || v.stopPrice !== undefined, { message: 'give at least one of quantity, limitPrice, stopPrice' }),
      output: TradeOutput,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
      handler: async (a, ctx) => run(ctx, 'modify_order', { kind: 'modify', ...a }),
    }),
    defineTool({
      name: 'cancel_replace',
      title: 'Cancel and replace order',
      description:
        "Cancels one of this client's own working orders (orderId) and places a new order in its place (place_order's fields), as one action with one approval by the person. " +
        "The new order is checked as place_order checks it, with the cancelled order's remaining quantity left out of the exposure; it is sent only after NinjaTrader reports the old order Cancelled. " +
        'If the old order filled (even partly) or could not be cancelled, the new one is NOT placed (replace_not_done, with the old order\'s state); if the cancel\'s outcome is unknown, nothing is placed (outcome_unknown). ' +
        `Orders placed by another client, in NinjaTrader or by a bracket/ATM are refused (order_not_yours). Pass a clientOrderId for the new order and reuse it on retries.${GUARD_NOTE}`,
      scope: 'mcp:trade',
      input: ReplaceInput,
      output: TradeOutput,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
      handler: async (a, ctx) => {
        const { orderId, ...fields } = a;
        const place = toPlaceAction(trading, fields);
        // Only words for the prompt: the guard refuses another account, another client's order or an unlisted one before anyone sees them.
        const old = trading.link.mirror.orderById(a.account, orderId);
        return run(ctx, 'cancel_replace', { ...place, replace: { orderId, was: old ? describeOrder(old) : `order ${orderId}` } });
      },
    }),
    defineTool({
      name: 'cancel_order',
      title: 'Cancel order',
      description: `Cancels one working order. Allowed while the kill switch is engaged.${GUARD_NOTE}`,
      scope: 'mcp:trade',
      input: z.object({ account: accountArg, orderId: z.string().min(1).max(128) }).strict(),
      output: TradeOutput,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
      handler: async (a, ctx) => run(ctx, 'cancel_order', { kind: 'cancel', ...a }),
    }),
    defineTool({
      name: 'cancel_all_orders',
      title: 'Cancel all orders',
      description: `Cancels every working order on an account (optionally one instrument). Allowed while the kill switch is engaged.${GUARD_NOTE}`,
      scope: 'mcp:trade',
      input: z.object({ account: accountArg, instrument: instrumentArg.optional() }).strict(),
      output: TradeOutput,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
      handler: async (a, ctx) => run(ctx, 'cancel_all_orders', { kind: 'cancelAll', account: a.account, instrument: a.instrument ? resolve(trading, a.instrument).contract : undefined }),
    }),
    defineTool({
      name: 'flatten_position',
      title: 'Flatten position',
      description: `Closes the position in one instrument, or every position on the account when instrument is omitted, with market orders, and cancels working orders there. A root ("ES") closes every contract month held (in roll week both the old and the new month); a contract ("ES 12-26") only that month. Allowed while the kill switch is engaged.${GUARD_NOTE}`,
      scope: 'mcp:trade',
      input: z.object({ account: accountArg, instrument: instrumentArg.optional() }).strict(),
      output: TradeOutput,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
      handler: async (a, ctx) => {
        if (a.instrument === undefined) return run(ctx, 'flatten_position', { kind: 'flatten', account: a.account });
        const { contract } = resolve(trading, a.instrument);
        const root = rootOnly(a.instrument);
        // A root means every month held or worked (roll week: ES 12-26 and ES 03-27), not just the front.
        // Read through the grant's view like every tool (it checks the account first).
        const view = viewOf(ctx);
        const held = root
          ? [
              ...view.positions(a.account).filter((p) => p.marketPosition !== 'Flat').map((p) => p.instrument),
              ...view.orders(a.account, { working: true }).map((o) => o.instrument),
            ].filter((i) => rootOfContract(i) === root && resolveInstrument(i, trading.now()) !== null) // expired months cannot take orders
          : [];
        const instruments = held.length > 0 ? [...new Set(held)].sort() : [contract];
        return run(ctx, 'flatten_position', { kind: 'flatten', account: a.account, instrument: instruments[0], instruments });
      },
    }),
    defineTool({
      name: 'flatten_everything',
      title: 'Flatten everything',
      description: `Flattens every position and cancels every working order on all accounts this client may trade (never other accounts). Allowed while the kill switch is engaged.${GUARD_NOTE}`,
      scope: 'mcp:trade',
      input: z.object({}).strict(),
      output: TradeOutput,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
      handler: async (_a, ctx) => run(ctx, 'flatten_everything', { kind: 'flattenEverything', accounts: ctx.grant.accounts }),
    }),
    defineTool({
      name: 'reverse_position',
      title: 'Reverse position',
      description: `Reverses a position (long 2 → short 2) with one market order of twice the quantity. Counts as new risk: refused while the kill switch is engaged.${GUARD_NOTE}`,
      scope: 'mcp:trade',
      input: z.object({ account: accountArg, instrument: instrumentArg }).strict(),
      output: TradeOutput,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
      handler: async (a, ctx) => run(ctx, 'reverse_position', { kind: 'reverse', account: a.account, instrument: resolve(trading, a.instrument).contract }),
    }),
  ];
}

function orderLine(o: Order): string {
  const fill = o.filled ? ` (${o.filled} filled @ ${o.averageFillPrice})` : '';
  return `${o.orderId} ${o.account} ${honest(o.action, o, 'action')} ${o.quantity} ${o.instrument} ${honest(o.orderType, o, 'orderType')}${orderPrices(o)} ${timeInForceWords(o)} — ${honest(o.state, o, 'state')}${fill}${o.name ? ` [${o.name}]` : ''}${managedWords(o)}${o.error ? `: ${o.error}` : ''}`;
}

/** " (exit of brk-1, OCO BRK1; ATM "1 Target + Stop")": a bracket or ATM child, shown as such. */
function managedWords(o: Order): string {
  const parts: string[] = [];
  if (o.bracketOf) parts.push(`exit of ${o.bracketOf}${o.ocoId ? `, OCO ${o.ocoId}` : ''}`);
  if (o.atm) parts.push(`ATM "${o.atm}"`);
  return parts.length ? ` (${parts.join('; ')})` : '';
}

/** NT8 AccountItems beyond the five every account reports, in the words a trader uses. */
const ITEM_WORDS = {
  grossRealizedPnL: 'gross realized',
  commission: 'commission',
  totalCashBalance: 'total cash balance',
  sodCashValue: 'start-of-day cash',
  initialMargin: 'initial margin',
  maintenanceMargin: 'maintenance margin',
  intradayMargin: 'intraday margin',
  excessInitialMargin: 'excess initial margin',
  excessMaintenanceMargin: 'excess maintenance margin',
  excessIntradayMargin: 'excess intraday margin',
  excessEquity: 'excess equity',
  longOptionValue: 'long option value',
  shortOptionValue: 'short option value',
} as const satisfies Partial<Record<keyof Account['items'], string>>;

function currencyOf(a: Account | undefined): string | undefined {
  return a?.currency;
}

/** 'Apex-1 "Apex 50K Eval" (sim, EUR)' — the display name only when it differs from the name. */
function accountTitle(a: Account): string {
  const display = a.displayName && a.displayName !== a.name ? ` "${a.displayName}"` : '';
  return `${a.name}${display} (${a.simulated ? 'sim, ' : ''}${a.currency})`;
}

/** 'connection "Rithmic": orders Connected, prices ConnectionLost' (prices only when reported). */
function connectionWords(a: Account): string {
  const prices = a.priceStatus === undefined ? '' : `, prices ${honest(a.priceStatus, a, 'priceStatus')}`;
  return `connection "${a.connection}": orders ${honest(a.connectionStatus, a, 'connectionStatus')}${prices}`;
}

/** A get_bars range as the protocol wants it: exactly one of count or from (with optional to), checked with friendly words. */
function barRange(a: { count?: number; from?: string; to?: string }, now: number): { count: number } | { from: string; to?: string } {
  if (a.count !== undefined && a.from !== undefined) throw new Refusal('invalid_arguments', 'Give either count (the last N bars) or from (and optionally to), not both.');
  if (a.to !== undefined && a.from === undefined) throw new Refusal('invalid_arguments', 'to needs from: give the start of the range too, or use count.');
  if (a.from === undefined) return { count: a.count ?? 100 };
  const iso = (label: string, v: string) => {
    const t = Date.parse(v);
    if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(t)) throw new Refusal('invalid_arguments', `${label} "${v}" is not an ISO 8601 date or time (e.g. "2026-11-02" or "2026-11-02T14:30:00Z").`);
    return t;
  };
  const from = iso('from', a.from);
  const to = a.to === undefined ? null : iso('to', a.to);
  if (to !== null && to <= from) throw new Refusal('invalid_arguments', `to (${a.to}) must be after from (${a.from}).`);
  if (from > now) throw new Refusal('invalid_arguments', `from (${a.from}) is in the future.`);
  return { from: new Date(from).toISOString(), ...(to !== null ? { to: new Date(to).toISOString() } : {}) };
}

/** "\nINCOMPLETE: …" for the accounts whose orders or positions NinjaTrader sent unreadably, else "". */
function incompleteNote(trading: Trading, accounts: string[]): string {
  const notes = accounts.flatMap((n) => {
    const why = trading.link.mirror.incomplete(n);
    return why ? [`INCOMPLETE ${n}: ${why}; this list may miss it, and new risk on ${n} is refused until a snapshot reads cleanly.`] : [];
  });
  return notes.length ? `\n${notes.join('\n')}` : '';
}

/** How long get_quote waits for the first quote of an instrument it just subscribed. */
const FIRST_QUOTE_WAIT_MS = 2000;

/**
 * An instrument nobody streams yet: ask the add-on to subscribe (when it says it can) and wait
 * briefly for the first quote. Otherwise, or when none comes, the honest no_market_data error.
 */
async function subscribeAndWait(trading: Trading, contract: string): Promise<Quote> {
  const link = trading.link;
  const down = link.mirror.stale || link.state().status !== 'connected';
  if (down) throw new Refusal('no_market_data', `No market data for ${contract} yet. The NinjaTrader link is down.`);
  if (!link.hasCapability('subscribe') || (link.protocolMinor() ?? 0) < 1) {
    throw new Refusal('no_market_data', `No market data for ${contract} yet: NinjaTrader is not streaming it, and this add-on cannot be asked to subscribe (it does not advertise "subscribe"). Open a chart or Market Analyzer row for it in NinjaTrader.`);
  }
  const names = new Set([contract]);
  const lookup = () => [...names].map((n) => link.mirror.quote(n)).find((q) => q !== undefined);
  return new Promise<Quote>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      link.off('event', onEvent);
      fn();
    };
    const onEvent = (ev: DomainEvent) => {
      if (ev.kind === 'quote' && names.has(ev.quote.instrument)) finish(() => resolve(ev.quote));
    };
    const timer = setTimeout(() => {
      const q = lookup();
      finish(() => (q ? resolve(q) : reject(new Refusal('no_market_data', `No market data for ${contract}: subscribed, but NinjaTrader sent no quote within ${FIRST_QUOTE_WAIT_MS / 1000} s. Is its data feed connected and the market open? Ask again in a moment.`))));
    }, FIRST_QUOTE_WAIT_MS);
    link.on('event', onEvent);
    link.request('subscribeQuotes', { instruments: [contract] }, { timeoutMs: FIRST_QUOTE_WAIT_MS }).then(
      (r) => {
        for (const n of r.subscribed) names.add(n); // NinjaTrader's full name may differ from ours
        const q = lookup();
        if (q) finish(() => resolve(q));
      },
      (e: Error) => finish(() => reject(new Refusal('no_market_data', `No market data for ${contract}: NinjaTrader could not subscribe to it (${asSentence(e.message)})`))),
    );
  });
}
