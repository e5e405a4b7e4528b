// The add-on protocol, version 1.1: every message that crosses the WebSocket between the NT8
// add-on and the companion, as zod schemas (validated at the door, both directions) and the TS types
// inferred from them. docs/addon-protocol.md is the human version; keep the two in step.
// Versioning: the envelope `v` is the MAJOR (1); hello/welcome carry the MINOR. A minor only adds
// optional fields, enum values and methods (unknown keys are stripped, not rejected); anything else
// bumps the major and the companion refuses the other major with a clear message.
// Enums are lenient on the receiving side: an unknown value from a newer NT8 becomes 'Unknown' and the
// raw text is kept on the entity in `unknownValues` (never a reason to drop the record).
import { z } from 'zod';

export const PROTOCOL_VERSION = 1 as const;
/** The highest minor of major 1 this companion speaks. */
export const PROTOCOL_MINOR = 1 as const;

// ---- NT8 enums (names exactly as NinjaScript spells them) ----
// The strict schemas are what the companion SENDS (requests); entities RECEIVED use the lenient
// forms below (known values, 'Unknown', or an unknown raw value mapped to 'Unknown').
export const ORDER_ACTIONS = ['Buy', 'BuyToCover', 'Sell', 'SellShort'] as const;
export const ORDER_TYPES = ['Market', 'Limit', 'StopMarket', 'StopLimit', 'MIT'] as const;
export const TIME_IN_FORCES = ['Day', 'Gtc', 'Gtd', 'Ioc', 'Opg'] as const;
export const ORDER_STATES = [
  'Initialized', 'Submitted', 'Accepted', 'Working', 'TriggerPending', 'ChangePending',
  'ChangeSubmitted', 'CancelPending', 'CancelSubmitted', 'Cancelled', 'PartFilled', 'Filled',
  'Rejected', 'Suspended', 'Unknown',
] as const;
export const MARKET_POSITIONS = ['Long', 'Short', 'Flat'] as const;
export const CONNECTION_STATUSES = [
  'Connected', 'Connecting', 'ConnectionLost', 'Disconnected', 'Disconnecting',
] as const;
export const OrderAction = z.enum(ORDER_ACTIONS);
export const OrderType = z.enum(ORDER_TYPES);
export const TimeInForce = z.enum(TIME_IN_FORCES);
export const OrderState = z.enum(ORDER_STATES);
export const MarketPosition = z.enum(MARKET_POSITIONS);
export const ConnectionStatus = z.enum(CONNECTION_STATUSES);
export type OrderAction = z.infer<typeof OrderAction>;
export type OrderType = z.infer<typeof OrderType>;
export type TimeInForce = z.infer<typeof TimeInForce>;
export type OrderState = z.infer<typeof OrderState>;
export type MarketPosition = z.infer<typeof MarketPosition>;
export type ConnectionStatus = z.infer<typeof ConnectionStatus>;
/** A received enum value: a known one, or 'Unknown' (the raw text then sits in `unknownValues`). */
export type Lenient<T extends string> = T | 'Unknown';

/** NT8 terminal order states: the order can no longer change. */
export const TERMINAL_STATES: ReadonlySet<OrderState> = new Set<OrderState>([
  'Cancelled', 'Filled', 'Rejected', 'Unknown',
]);
export function isTerminal(state: OrderState): boolean {
  return TERMINAL_STATES.has(state);
}
/**
 * A received enum value as a person should read it: the value, or for one this companion does not
 * know, `Unknown (NinjaTrader said "PendingSomething")`.
 */
export function honest(value: string, entity: { unknownValues?: Record<string, string> }, field: string): string {
  const raw = entity.unknownValues?.[field];
  return value === 'Unknown' && raw !== undefined ? `Unknown (NinjaTrader said ${JSON.stringify(raw)})` : value;
}

/**
 * An order that may still work: not terminal, or in a state this companion does not know (a newer
 * NT8's state maps to 'Unknown', which is terminal in NT8's own list, but the order might be live).
 */
export function isLive(o: { state: OrderState; unknownValues?: Record<string, string> }): boolean {
  return !isTerminal(o.state) || o.unknownValues?.state !== undefined;
}
/** Buy and BuyToCover add to the position; Sell and SellShort take from it. */
export function actionSign(action: OrderAction): 1 | -1 {
  return action === 'Buy' || action === 'BuyToCover' ? 1 : -1;
}
/**
 * The directions a received order can move a position: a known action one, an Unknown action (a
 * value this companion does not know) both — the worst case. The one place exposure asks.
 */
export function exposureSides(action: Lenient<OrderAction>): { buys: boolean; sells: boolean } {
  if (action === 'Unknown') return { buys: true, sells: true };
  const buy = actionSign(action) > 0;
  return { buys: buy, sells: !buy };
}

const price = z.number().finite();
const money = z.number().finite();
const isoTime = z.string().min(1).max(64);
const name = z.string().min(1).max(128);
const qty = z.number().int().positive().max(1_000_000);

// ---- Lenient enums ----
/** A received enum field: known values plus 'Unknown' (unknown raw values are mapped before this runs). */
const lenient = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum([...values, 'Unknown'] as unknown as readonly [T[number] | 'Unknown', ...(T[number] | 'Unknown')[]]);
/** `unknownValues` on an entity: field → the raw text NinjaTrader sent (companion-internal). */
const UnknownValues = z.record(z.string(), z.string().max(64));
export type UnknownValues = z.infer<typeof UnknownValues>;

const isEnumText = (x: unknown): x is string => typeof x === 'string' && x.length >= 1 && x.length <= 64;

/**
 * Maps every enum field whose value is a string of 1..64 chars that is not known to 'Unknown' and
 * records the raw text in `unknownValues` (a wire `unknownValues` is never trusted: replaced).
 * Returns the input itself when nothing changes (no copy on the common path).
 */
function mapUnknownEnums(raw: unknown, fields: Readonly<Record<string, ReadonlySet<string>>>): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const src = raw as Record<string, unknown>;
  let out: Record<string, unknown> | null = null;
  let unknown: Record<string, string> | null = null;
  for (const field in fields) {
    const v = src[field];
    if (isEnumText(v) && v !== 'Unknown' && !fields[field]!.has(v)) {
      (unknown ??= {})[field] = v;
      (out ??= { ...src })[field] = 'Unknown';
    }
  }
  if (out === null) {
    if (!Object.hasOwn(src, 'unknownValues')) return src;
    out = { ...src };
  }
  if (unknown) out.unknownValues = unknown;
  else delete out.unknownValues;
  return out;
}

/** An entity schema whose listed enum fields are lenient. */
function entity<S extends z.ZodRawShape>(shape: S, enums: Record<string, readonly string[]>) {
  const fields: Record<string, ReadonlySet<string>> = {};
  for (const [k, values] of Object.entries(enums)) fields[k] = new Set(values);
  return z.preprocess(
    (raw) => mapUnknownEnums(raw, fields),
    z.object({ ...shape, unknownValues: UnknownValues.optional() }),
  );
}

// ---- Entities ----
const money0 = money.optional();
export const AccountItemsSchema = z.object({
  cashValue: money,
  buyingPower: money,
  netLiquidation: money,
  realizedPnL: money,
  unrealizedPnL: money,
  grossRealizedPnL: money0,
  commission: money0,
  totalCashBalance: money0,
  sodCashValue: money0,
  initialMargin: money0,
  maintenanceMargin: money0,
  intradayMargin: money0,
  excessInitialMargin: money0,
  excessMaintenanceMargin: money0,
  excessIntradayMargin: money0,
  excessEquity: money0,
  longOptionValue: money0,
  shortOptionValue: money0,
});
export type AccountItems = z.infer<typeof AccountItemsSchema>;

export const AccountSchema = entity(
  {
    name,
    /** NT8 Account.DisplayName (prop firms show it); the mirror defaults it to `name`. (1.1) */
    displayName: z.string().min(1).max(128).optional(),
    connection: z.string().max(128),
    /** The connection's order-routing status. */
    connectionStatus: lenient(CONNECTION_STATUSES),
    /** The connection's price-feed status. (1.1) */
    priceStatus: lenient(CONNECTION_STATUSES).optional(),
    provider: z.string().max(64),
    simulated: z.boolean(),
    /** ISO 4217 code where NT8's Currency maps to one, else NT8's own name. (1.1: any string; 1.0: USD) */
    currency: z.string().min(1).max(32),
    items: AccountItemsSchema,
  },
  { connectionStatus: CONNECTION_STATUSES, priceStatus: CONNECTION_STATUSES },
);
export type Account = z.infer<typeof AccountSchema>;

export const OrderSchema = entity(
  {
    orderId: name,
    /** Carries the client order id; NT8 may change orderId during an order's life, the name stays. */
    name: z.string().max(128),
    account: name,
    instrument: name,
    action: lenient(ORDER_ACTIONS),
    orderType: lenient(ORDER_TYPES),
    timeInForce: lenient(TIME_IN_FORCES),
    /** Set for Gtd (ISO UTC), else null or absent. (1.1) */
    gtdDate: isoTime.nullable().optional(),
    quantity: qty,
    filled: z.number().int().nonnegative(),
    averageFillPrice: price,
    limitPrice: price.nullable(),
    stopPrice: price.nullable(),
    ocoId: z.string().max(128).nullable(),
    state: OrderState, // 'Unknown' is itself an NT8 state; unknown raw states map to it too
    error: z.string().max(1000).nullable().optional(),
    time: isoTime,
    /**
     * The ATM strategy template managing this order (the entry and its Stop1/Target1… children),
     * or null / absent. (capability "atm")
     */
    atm: z.string().max(128).nullable().optional(),
    /**
     * For a bracket or ATM child (a stop or target): the name of the entry order it protects, or
     * null / absent for an order of its own. (capabilities "brackets", "atm")
     */
    bracketOf: z.string().max(128).nullable().optional(),
  },
  { action: ORDER_ACTIONS, orderType: ORDER_TYPES, timeInForce: TIME_IN_FORCES, state: ORDER_STATES },
);
export type Order = z.infer<typeof OrderSchema>;

export const PositionSchema = entity(
  {
    account: name,
    instrument: name,
    marketPosition: lenient(MARKET_POSITIONS),
    quantity: z.number().int().nonnegative(),
    averagePrice: price,
    unrealizedPnL: money,
  },
  { marketPosition: MARKET_POSITIONS },
);
export type Position = z.infer<typeof PositionSchema>;

export const ExecutionSchema = entity(
  {
    executionId: name,
    /** null for fills with no order of the companion's view (ATM children, manual fills). (1.1) */
    orderId: name.nullable(),
    orderName: z.string().max(128).nullable(),
    account: name,
    instrument: name,
    action: lenient(ORDER_ACTIONS),
    /** Long for a buy fill, Short for a sell fill; the mirror derives it from `action` if absent. (1.1) */
    marketPosition: lenient(MARKET_POSITIONS).optional(),
    quantity: qty,
    price,
    time: isoTime,
    commission: money,
    isEntry: z.boolean(),
    isExit: z.boolean(),
  },
  { action: ORDER_ACTIONS, marketPosition: MARKET_POSITIONS },
);
export type Execution = z.infer<typeof ExecutionSchema>;

const size = z.number().finite().nonnegative().nullable().optional();
export const QuoteSchema = z.object({
  instrument: name,
  bid: price,
  ask: price,
  last: price,
  volume: z.number().nonnegative(),
  time: isoTime,
  // 1.1, each optional and nullable (null = NT8 has no value yet)
  bidSize: size,
  askSize: size,
  dailyHigh: price.nullable().optional(),
  dailyLow: price.nullable().optional(),
  dailyVolume: size,
  settlement: price.nullable().optional(),
});
export type Quote = z.infer<typeof QuoteSchema>;

export const BarSchema = z.object({
  time: isoTime,
  open: price,
  high: price,
  low: price,
  close: price,
  volume: z.number().nonnegative(),
});
export type Bar = z.infer<typeof BarSchema>;

export const ConnectionSchema = entity(
  {
    connection: z.string().max(128),
    /** Order routing. */
    status: lenient(CONNECTION_STATUSES),
    /** Price feed. (1.1) */
    priceStatus: lenient(CONNECTION_STATUSES).optional(),
  },
  { status: CONNECTION_STATUSES, priceStatus: CONNECTION_STATUSES },
);
export type ConnectionInfo = z.infer<typeof ConnectionSchema>;

// ---- Domain events (inside an `event` message) ----
export const DomainEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('account'), account: AccountSchema }),
  z.object({
    kind: z.literal('order'),
    order: OrderSchema,
    /** Set when NT8 replaced the order's id: the mirror re-keys the order. */
    previousOrderId: z.string().max(128).optional(),
  }),
  z.object({ kind: z.literal('position'), position: PositionSchema }),
  z.object({ kind: z.literal('execution'), execution: ExecutionSchema }),
  z.object({ kind: z.literal('quote'), quote: QuoteSchema }),
  z.object({ kind: z.literal('connection'), connection: ConnectionSchema }),
]);
export type DomainEvent = z.infer<typeof DomainEventSchema>;
export type AccountUpdate = Extract<DomainEvent, { kind: 'account' }>;
export type OrderUpdate = Extract<DomainEvent, { kind: 'order' }>;
export type PositionUpdate = Extract<DomainEvent, { kind: 'position' }>;
export type ExecutionUpdate = Extract<DomainEvent, { kind: 'execution' }>;
export type QuoteUpdate = Extract<DomainEvent, { kind: 'quote' }>;
export type ConnectionUpdate = Extract<DomainEvent, { kind: 'connection' }>;

/** The full state, as carried by a snapshot. */
export const StateSchema = z.object({
  accounts: z.array(AccountSchema).max(1000),
  /** NT8 connections with their order-routing and price-feed statuses. (1.1; absent from a 1.0 add-on) */
  connections: z.array(ConnectionSchema).max(1000).optional(),
  positions: z.array(PositionSchema).max(100_000),
  orders: z.array(OrderSchema).max(100_000),
  executions: z.array(ExecutionSchema).max(100_000),
  quotes: z.array(QuoteSchema).max(10_000),
});
export type SnapshotState = z.infer<typeof StateSchema>;

// ---- Requests (companion → add-on) and their results ----
const account = name;
const instrument = name;
/**
 * One side of a bracket: an absolute `price`, or `ticks` from the entry's average fill price (a
 * stop below a long's fill, a target above it; mirrored for a short). Exactly one of the two.
 */
export const BracketLeg = z
  .object({
    price: price.positive().optional(),
    ticks: z.number().int().min(1).max(100_000).optional(),
  })
  .refine((l) => (l.price === undefined) !== (l.ticks === undefined), { message: 'give exactly one of price or ticks' });
export type BracketLeg = z.infer<typeof BracketLeg>;
export const PlaceOrderParams = z
  .object({
    account,
    instrument,
    action: OrderAction,
    orderType: OrderType, // MIT: 1.1
    quantity: z.number(), // range checked by the add-on so it can answer invalid_order with a reason
    limitPrice: price.optional(),
    stopPrice: price.optional(),
    timeInForce: TimeInForce, // Gtd, Ioc, Opg: 1.1
    /** Required with Gtd (ISO UTC), not allowed otherwise. (1.1) */
    gtdDate: isoTime.optional(),
    ocoId: z.string().min(1).max(128).optional(),
    /**
     * The client order id, namespaced per MCP client (mcp:<12 hex>:<clientOrderId>, at most 49);
     * the add-on de-duplicates on (account, name). At most 50 characters: NT8's cap on an order Name.
     */
    name: z.string().min(1).max(50),
    /**
     * Bracket (capability "brackets"): when the entry fills, the add-on submits a stop and/or a
     * target as one OCO pair sized to the filled quantity (resized on each partial fill), and
     * cancels them when the position is closed by other means.
     */
    stopLoss: BracketLeg.optional(),
    takeProfit: BracketLeg.optional(),
    /** ATM strategy template to start on this entry (capability "atm"); not with stopLoss/takeProfit. */
    atmTemplate: z.string().min(1).max(128).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.atmTemplate !== undefined && (p.stopLoss !== undefined || p.takeProfit !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['atmTemplate'], message: 'an ATM template brings its own stops and targets; give atmTemplate or stopLoss/takeProfit, not both' });
    }
    if (p.timeInForce === 'Gtd' && p.gtdDate === undefined) {
      ctx.addIssue({ code: 'custom', path: ['gtdDate'], message: 'required when timeInForce is Gtd' });
    }
    if (p.timeInForce !== 'Gtd' && p.gtdDate !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['gtdDate'], message: 'only allowed when timeInForce is Gtd' });
    }
  });
export const ChangeOrderParams = z.object({
  account,
  orderId: name,
  quantity: z.number().optional(),
  limitPrice: price.optional(),
  stopPrice: price.optional(),
});
export const CancelOrderParams = z.object({ account, orderId: name });
export const CancelAllOrdersParams = z.object({ account, instrument: instrument.optional() });
export const FlattenParams = z.object({ account, instrument: instrument.optional() });
export const FlattenEverythingParams = z.object({});
export const ReversePositionParams = z.object({ account, instrument });
export const BAR_PERIODS = ['tick', 'second', 'minute', 'range', 'day'] as const;
export type BarPeriod = (typeof BAR_PERIODS)[number];
export const GetBarsParams = z
  .object({
    instrument,
    /** tick, second and range: 1.1 */
    period: z.enum(BAR_PERIODS),
    /** Period units per bar (ticks per bar for range); default 1. (1.1) */
    value: z.number().int().min(1).max(1440).optional(),
    /** The last `count` bars; exactly one of count or from. */
    count: z.number().int().positive().max(5000).optional(),
    /** ISO start (1.1), with an optional ISO end `to`. */
    from: isoTime.optional(),
    to: isoTime.optional(),
    /** NT8 trading-hours template name; default the instrument's own. (1.1) */
    tradingHours: z.string().min(1).max(128).optional(),
  })
  .superRefine((p, ctx) => {
    if ((p.count === undefined) === (p.from === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['count'], message: 'give exactly one of count or from' });
    }
    if (p.to !== undefined && p.from === undefined) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'to needs from' });
    }
  });
export const QuoteSubscriptionParams = z.object({ instruments: z.array(instrument).min(1).max(50) });
export const SnapshotParams = z.object({});
export const ListAtmTemplatesParams = z.object({});
/** An ATM strategy template as NT8 holds it: one stop per target (Stop1 pairs with Target1 in an OCO). */
export const AtmTemplateSchema = z.object({
  name: z.string().min(1).max(128),
  stops: z.array(z.object({ ticks: z.number().int().min(1).max(100_000) })).min(1).max(10),
  targets: z.array(z.object({ ticks: z.number().int().min(1).max(100_000), quantity: qty })).min(1).max(10),
  /** Auto breakeven: once the price is this many ticks in profit, the stops move to the entry price. */
  breakevenTicks: z.number().int().min(1).max(100_000).optional(),
});
export type AtmTemplate = z.infer<typeof AtmTemplateSchema>;

const orderResult = z.object({ order: OrderSchema });
const ordersResult = z.object({ orders: z.array(OrderSchema) });

export const methods = {
  placeOrder: { params: PlaceOrderParams, result: orderResult },
  changeOrder: { params: ChangeOrderParams, result: orderResult },
  cancelOrder: { params: CancelOrderParams, result: orderResult },
  cancelAllOrders: { params: CancelAllOrdersParams, result: z.object({ cancelled: z.array(z.string()) }) },
  flatten: { params: FlattenParams, result: ordersResult },
  flattenEverything: { params: FlattenEverythingParams, result: ordersResult },
  reversePosition: { params: ReversePositionParams, result: ordersResult },
  getBars: {
    params: GetBarsParams,
    result: z.object({ bars: z.array(BarSchema), tradingHours: z.string().max(128).optional() }),
  },
  /** 1.1, only when hello.capabilities has "subscribe": start streaming quotes for these instruments. */
  subscribeQuotes: { params: QuoteSubscriptionParams, result: z.object({ subscribed: z.array(z.string().max(128)) }) },
  unsubscribeQuotes: { params: QuoteSubscriptionParams, result: z.object({ unsubscribed: z.array(z.string().max(128)) }) },
  /** Only when hello.capabilities has "atm": the ATM strategy templates NT8 has. */
  listAtmTemplates: { params: ListAtmTemplatesParams, result: z.object({ templates: z.array(AtmTemplateSchema).max(1000) }) },
  /** Answered with a `snapshot` message carrying the request id, not with a `response`. */
  snapshot: { params: SnapshotParams, result: StateSchema },
} as const;
export type RequestMethod = keyof typeof methods;
export const REQUEST_METHODS = Object.keys(methods) as RequestMethod[];
export type ParamsOf<M extends RequestMethod> = z.infer<(typeof methods)[M]['params']>;
export type ResultOf<M extends RequestMethod> = z.infer<(typeof methods)[M]['result']>;

/**
 * What a 1.0 add-on cannot be asked: the 1.1-only methods and values of a request, named for the
 * person ("bar period tick"), or null when protocol 1.0 carries it.
 */
export function needs11(method: RequestMethod, params: unknown): string | null {
  const p = (params ?? {}) as Record<string, unknown>;
  switch (method) {
    case 'subscribeQuotes':
    case 'unsubscribeQuotes':
      return `the ${method} request`;
    case 'placeOrder':
      if (p.orderType === 'MIT') return 'order type MIT';
      if (p.timeInForce !== 'Day' && p.timeInForce !== 'Gtc') return `time in force ${String(p.timeInForce)}`;
      return null;
    case 'getBars':
      if (p.period !== 'minute' && p.period !== 'day') return `bar period ${String(p.period)}`;
      if (p.value !== undefined && p.value !== 1) return `${String(p.value)}-${String(p.period)} bars`;
      if (p.from !== undefined) return 'bars by date range (from/to)';
      if (p.tradingHours !== undefined) return 'a trading-hours template';
      return null;
    default:
      return null;
  }
}

/** Capabilities (hello.capabilities) beyond protocol 1.1's baseline, and what needs them. */
export const CAPABILITY_BRACKETS = 'brackets';
export const CAPABILITY_ATM = 'atm';
/**
 * The capability a request needs beyond its minor, with the person's words for it, or null. The
 * companion sends such a request only to an add-on that advertised the capability in its hello.
 */
export function needsCapability(method: RequestMethod, params: unknown): { capability: string; what: string } | null {
  const p = (params ?? {}) as Record<string, unknown>;
  if (method === 'listAtmTemplates') return { capability: CAPABILITY_ATM, what: 'ATM strategy templates' };
  if (method !== 'placeOrder') return null;
  if (p.atmTemplate !== undefined) return { capability: CAPABILITY_ATM, what: 'an ATM strategy template on an order' };
  if (p.stopLoss !== undefined || p.takeProfit !== undefined) {
    return { capability: CAPABILITY_BRACKETS, what: 'a bracket (stop loss / take profit) on an order' };
  }
  return null;
}

export const ErrorCode = z.enum([
  'invalid_request', 'unknown_account', 'unknown_instrument', 'invalid_order', 'unknown_order',
  'order_not_changeable', 'market_closed', 'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

// ---- Messages: add-on → companion ----
const v = z.literal(PROTOCOL_VERSION);
const reqId = z.string().min(1).max(64);

export const HelloMessage = z.object({
  v,
  type: z.literal('hello'),
  addonVersion: z.string().min(1).max(64),
  nt8Version: z.string().min(1).max(64),
  simulated: z.boolean(),
  capabilities: z.array(z.string().max(64)).max(100),
  /** The add-on's minor of major 1; absent = 0. (1.1) */
  protocolMinor: z.number().int().nonnegative().max(1_000_000).optional(),
});
export const SnapshotMessage = StateSchema.extend({
  v,
  type: z.literal('snapshot'),
  id: reqId.optional(),
  seq: z.number().int().nonnegative(),
});
export const EventMessage = z.object({
  v,
  type: z.literal('event'),
  seq: z.number().int().nonnegative(),
  event: DomainEventSchema,
});
/**
 * What the companion checks of a snapshot as a whole: the envelope and that the lists are lists.
 * Each record is then validated on its own (parseSnapshotRecords): one bad record never costs the rest.
 */
const SnapshotEnvelope = z.object({
  v,
  type: z.literal('snapshot'),
  id: reqId.optional(),
  seq: z.number().int().nonnegative(),
  accounts: z.array(z.unknown()).max(1000),
  connections: z.array(z.unknown()).max(1000).optional(),
  positions: z.array(z.unknown()).max(100_000),
  orders: z.array(z.unknown()).max(100_000),
  executions: z.array(z.unknown()).max(100_000),
  quotes: z.array(z.unknown()).max(10_000),
});
/** An event's envelope: good → its seq counts even when the payload is bad. */
const EventEnvelope = z.object({ v, type: z.literal('event'), seq: z.number().int().nonnegative() });

/** The kinds of records a snapshot carries, with the field that names one in a report. */
export const RECORD_KINDS = {
  accounts: { schema: AccountSchema, noun: 'account', key: 'name' },
  connections: { schema: ConnectionSchema, noun: 'connection', key: 'connection' },
  positions: { schema: PositionSchema, noun: 'position', key: 'instrument' },
  orders: { schema: OrderSchema, noun: 'order', key: 'orderId' },
  executions: { schema: ExecutionSchema, noun: 'execution', key: 'executionId' },
  quotes: { schema: QuoteSchema, noun: 'quote', key: 'instrument' },
} as const;
export type RecordList = keyof typeof RECORD_KINDS;

/** A snapshot record that failed validation and was left out. */
export interface SkippedRecord {
  list: RecordList;
  /** 1-based position in its list, and the list's length. */
  index: number;
  total: number;
  /** The record's own account (when it names one as a string), so the report reaches that account's grants. */
  account: string | null;
  /** One sentence: 'skipped order 3 of 120 (orderId "x"): quantity: expected integer'. */
  message: string;
}

/** A validated snapshot: the records that passed, and a report of the ones that did not. */
export type ParsedSnapshot = SnapshotMessage & { skipped: SkippedRecord[] };

const shortText = (x: unknown): string | null =>
  typeof x === 'string' ? JSON.stringify(x.length > 60 ? `${x.slice(0, 60)}…` : x) : typeof x === 'number' ? String(x) : null;

function parseSnapshotRecords(env: z.infer<typeof SnapshotEnvelope>): ParsedSnapshot {
  const skipped: SkippedRecord[] = [];
  const take = <L extends RecordList>(list: L, raws: unknown[]) => {
    const { schema, noun, key } = RECORD_KINDS[list];
    const out: unknown[] = [];
    raws.forEach((raw, i) => {
      const r = (schema as z.ZodType).safeParse(raw);
      if (r.success) return void out.push(r.data);
      const rec = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
      const id = shortText(rec[key]);
      const acct = list === 'accounts' ? rec.name : rec.account;
      skipped.push({
        list,
        index: i + 1,
        total: raws.length,
        account: typeof acct === 'string' && acct.length > 0 && acct.length <= 128 ? acct : null,
        message: `skipped ${noun} ${i + 1} of ${raws.length}${id ? ` (${key} ${id})` : ''}: ${describeIssues(r.error)}`,
      });
    });
    return out as z.infer<(typeof RECORD_KINDS)[L]['schema']>[];
  };
  return {
    v: env.v,
    type: 'snapshot',
    ...(env.id !== undefined ? { id: env.id } : {}),
    seq: env.seq,
    accounts: take('accounts', env.accounts),
    ...(env.connections !== undefined ? { connections: take('connections', env.connections) } : {}),
    positions: take('positions', env.positions),
    orders: take('orders', env.orders),
    executions: take('executions', env.executions),
    quotes: take('quotes', env.quotes),
    skipped,
  };
}
export const ResponseMessage = z.union([
  z.object({ v, type: z.literal('response'), id: reqId, ok: z.literal(true), result: z.unknown() }),
  z.object({
    v,
    type: z.literal('response'),
    id: reqId,
    ok: z.literal(false),
    error: z.object({ code: z.string().min(1).max(64), message: z.string().max(2000) }),
  }),
]);
export const PongMessage = z.object({ v, type: z.literal('pong') });
export const HeartbeatMessage = z.object({ v, type: z.literal('heartbeat') });

export type AddonMessageType = 'hello' | 'snapshot' | 'event' | 'response' | 'pong' | 'heartbeat';
const ADDON_SCHEMAS = {
  hello: HelloMessage,
  snapshot: SnapshotMessage,
  event: EventMessage,
  response: ResponseMessage,
  pong: PongMessage,
  heartbeat: HeartbeatMessage,
} as const;
export type AddonMessage =
  | z.infer<typeof HelloMessage>
  | ParsedSnapshot
  | z.infer<typeof EventMessage>
  | z.infer<typeof ResponseMessage>
  | z.infer<typeof PongMessage>
  | z.infer<typeof HeartbeatMessage>;

export type ParseResult<T> =
  | { ok: true; message: T }
  /**
   * `eventSeq`: set for an event whose envelope (v, type, seq) is good but whose payload is not;
   * then `eventKind` and `eventAccount` say what the payload was about, as far as it can be read.
   */
  | { ok: false; error: string; eventSeq?: number; eventKind?: string; eventAccount?: string | null };

const isName = (x: unknown): x is string => typeof x === 'string' && x.length >= 1 && x.length <= 128;
const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * Quote events are most of the traffic (tens of thousands per second). This checks exactly what
 * EventMessage + QuoteSchema check, by hand, and builds the same stripped object; anything that
 * does not pass falls through to the zod schema, which then reports the precise problem.
 * Why hand-written: zod's discriminated-union parse costs several microseconds per quote.
 */
function fastQuoteEvent(raw: Record<string, unknown>): EventMessage | null {
  const ev = raw.event as Record<string, unknown> | undefined;
  if (raw.v !== PROTOCOL_VERSION || !ev || typeof ev !== 'object' || ev.kind !== 'quote') return null;
  const seq = raw.seq;
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0) return null;
  const q = ev.quote as Record<string, unknown> | undefined;
  if (!q || typeof q !== 'object') return null;
  const { instrument, bid, ask, last, volume, time } = q;
  if (!isName(instrument) || !isFiniteNumber(bid) || !isFiniteNumber(ask) || !isFiniteNumber(last)) return null;
  if (!isFiniteNumber(volume) || volume < 0 || typeof time !== 'string' || time.length < 1 || time.length > 64) return null;
  const quote: Quote = { instrument, bid, ask, last, volume, time };
  // 1.1 optional fields: absent stays absent, null stays null, else a finite number (sizes >= 0).
  const { bidSize, askSize, dailyHigh, dailyLow, dailyVolume, settlement } = q;
  if (bidSize !== undefined) { if (!isOptSize(bidSize)) return null; quote.bidSize = bidSize; }
  if (askSize !== undefined) { if (!isOptSize(askSize)) return null; quote.askSize = askSize; }
  if (dailyHigh !== undefined) { if (!isOptPrice(dailyHigh)) return null; quote.dailyHigh = dailyHigh; }
  if (dailyLow !== undefined) { if (!isOptPrice(dailyLow)) return null; quote.dailyLow = dailyLow; }
  if (dailyVolume !== undefined) { if (!isOptSize(dailyVolume)) return null; quote.dailyVolume = dailyVolume; }
  if (settlement !== undefined) { if (!isOptPrice(settlement)) return null; quote.settlement = settlement; }
  return { v: PROTOCOL_VERSION, type: 'event', seq, event: { kind: 'quote', quote } };
}
const isOptPrice = (x: unknown): x is number | null => x === null || isFiniteNumber(x);
const isOptSize = (x: unknown): x is number | null => x === null || (isFiniteNumber(x) && x >= 0);

/** Validate one decoded JSON value from the add-on: picks the schema by `type`, then parses. */
export function parseAddonMessage(raw: unknown): ParseResult<AddonMessage> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, error: 'message is not a JSON object' };
  }
  const type = (raw as { type?: unknown }).type;
  if (type === 'event') {
    const fast = fastQuoteEvent(raw as Record<string, unknown>);
    if (fast) return { ok: true, message: fast };
  }
  if (typeof type !== 'string' || !Object.hasOwn(ADDON_SCHEMAS, type)) {
    return { ok: false, error: `unknown message type ${JSON.stringify(type)?.slice(0, 40)}` };
  }
  if (type === 'snapshot') {
    const env = SnapshotEnvelope.safeParse(raw);
    if (!env.success) return { ok: false, error: `invalid snapshot message: ${describeIssues(env.error)}` };
    return { ok: true, message: parseSnapshotRecords(env.data) };
  }
  const r = ADDON_SCHEMAS[type as AddonMessageType].safeParse(raw);
  if (!r.success) {
    const error = `invalid ${type} message: ${describeIssues(r.error)}`;
    if (type === 'event') {
      const env = EventEnvelope.safeParse(raw);
      if (env.success) {
        const ev = (raw as { event?: unknown }).event;
        const kind = typeof ev === 'object' && ev !== null ? (ev as { kind?: unknown }).kind : undefined;
        const entity = typeof kind === 'string' ? (ev as Record<string, unknown>)[kind] : undefined;
        const acct = typeof entity === 'object' && entity !== null ? (entity as Record<string, unknown>)[kind === 'account' ? 'name' : 'account'] : undefined;
        return {
          ok: false,
          error,
          eventSeq: env.data.seq,
          ...(typeof kind === 'string' && kind.length <= 64 ? { eventKind: kind } : {}),
          eventAccount: typeof acct === 'string' && acct.length > 0 && acct.length <= 128 ? acct : null,
        };
      }
    }
    return { ok: false, error };
  }
  return { ok: true, message: r.data as AddonMessage };
}

export type HelloMessage = z.infer<typeof HelloMessage>;
export type SnapshotMessage = z.infer<typeof SnapshotMessage>;
export type EventMessage = z.infer<typeof EventMessage>;
export type ResponseMessage = z.infer<typeof ResponseMessage>;

// ---- Messages: companion → add-on ----
export const RefusedReason = z.enum([
  'unsupported_version', 'already_connected', 'hello_expected', 'invalid_hello', 'hello_timeout',
  'shutting_down',
]);
export type RefusedReason = z.infer<typeof RefusedReason>;
export const WelcomeMessage = z.object({
  v,
  type: z.literal('welcome'),
  protocolVersion: v,
  /** The negotiated minor: min(add-on's, companion's). Absent from a 1.0 companion (= 0). */
  protocolMinor: z.number().int().nonnegative().optional(),
});
export const RefusedMessage = z.object({
  v,
  type: z.literal('refused'),
  reason: RefusedReason,
  message: z.string(),
});
export const RequestMessage = z.object({
  v,
  type: z.literal('request'),
  id: reqId,
  method: z.enum(REQUEST_METHODS as [RequestMethod, ...RequestMethod[]]),
  params: z.unknown(),
});
export const PingMessage = z.object({ v, type: z.literal('ping') });
export const CompanionMessage = z.discriminatedUnion('type', [
  WelcomeMessage, RefusedMessage, RequestMessage, PingMessage,
]);
export type WelcomeMessage = z.infer<typeof WelcomeMessage>;
export type RefusedMessage = z.infer<typeof RefusedMessage>;
export type RequestMessage = z.infer<typeof RequestMessage>;
export type CompanionMessage = z.infer<typeof CompanionMessage>;

/** A short, human summary of a zod failure for logs ("event.quote.bid: expected number"). */
export function describeIssues(error: z.ZodError, max = 3): string {
  return error.issues
    .slice(0, max)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}
