// The add-on protocol, version 1: every message that crosses the WebSocket between the NT8 add-on
// and the companion, as zod schemas (validated at the door, both directions) and the TS types
// inferred from them. docs/addon-protocol.md is the human version; keep the two in step.
// Versioning: additive, optional fields may appear within v1 (unknown keys are stripped, not
// rejected); anything else (renamed/removed fields, new required fields, changed meaning) bumps
// PROTOCOL_VERSION and the companion refuses the other version with a clear message.
import { z } from 'zod';

export const PROTOCOL_VERSION = 1 as const;

// ---- NT8 enums (names exactly as NinjaScript spells them) ----
export const OrderAction = z.enum(['Buy', 'BuyToCover', 'Sell', 'SellShort']);
export const OrderType = z.enum(['Market', 'Limit', 'StopMarket', 'StopLimit']);
export const TimeInForce = z.enum(['Day', 'Gtc']);
export const OrderState = z.enum([
  'Initialized', 'Submitted', 'Accepted', 'Working', 'TriggerPending', 'ChangePending',
  'ChangeSubmitted', 'CancelPending', 'CancelSubmitted', 'Cancelled', 'PartFilled', 'Filled',
  'Rejected', 'Unknown',
]);
export const MarketPosition = z.enum(['Long', 'Short', 'Flat']);
export const ConnectionStatus = z.enum([
  'Connected', 'Connecting', 'ConnectionLost', 'Disconnected', 'Disconnecting',
]);
export type OrderAction = z.infer<typeof OrderAction>;
export type OrderType = z.infer<typeof OrderType>;
export type TimeInForce = z.infer<typeof TimeInForce>;
export type OrderState = z.infer<typeof OrderState>;
export type MarketPosition = z.infer<typeof MarketPosition>;
export type ConnectionStatus = z.infer<typeof ConnectionStatus>;

/** NT8 terminal order states: the order can no longer change. */
export const TERMINAL_STATES: ReadonlySet<OrderState> = new Set<OrderState>([
  'Cancelled', 'Filled', 'Rejected', 'Unknown',
]);
export function isTerminal(state: OrderState): boolean {
  return TERMINAL_STATES.has(state);
}
/** Buy and BuyToCover add to the position; Sell and SellShort take from it. */
export function actionSign(action: OrderAction): 1 | -1 {
  return action === 'Buy' || action === 'BuyToCover' ? 1 : -1;
}

const price = z.number().finite();
const money = z.number().finite();
const isoTime = z.string().min(1).max(64);
const name = z.string().min(1).max(128);
const qty = z.number().int().positive().max(1_000_000);

// ---- Entities ----
export const AccountSchema = z.object({
  name,
  connection: z.string().max(128),
  connectionStatus: ConnectionStatus,
  provider: z.string().max(64),
  simulated: z.boolean(),
  currency: z.literal('USD'),
  items: z.object({
    cashValue: money,
    buyingPower: money,
    netLiquidation: money,
    realizedPnL: money,
    unrealizedPnL: money,
    grossRealizedPnL: money,
  }),
});
export type Account = z.infer<typeof AccountSchema>;

export const OrderSchema = z.object({
  orderId: name,
  /** Carries the client order id; NT8 may change orderId during an order's life, the name stays. */
  name: z.string().max(128),
  account: name,
  instrument: name,
  action: OrderAction,
  orderType: OrderType,
  timeInForce: TimeInForce,
  quantity: qty,
  filled: z.number().int().nonnegative(),
  averageFillPrice: price,
  limitPrice: price.nullable(),
  stopPrice: price.nullable(),
  ocoId: z.string().max(128).nullable(),
  state: OrderState,
  error: z.string().max(1000).nullable().optional(),
  time: isoTime,
});
export type Order = z.infer<typeof OrderSchema>;

export const PositionSchema = z.object({
  account: name,
  instrument: name,
  marketPosition: MarketPosition,
  quantity: z.number().int().nonnegative(),
  averagePrice: price,
  unrealizedPnL: money,
});
export type Position = z.infer<typeof PositionSchema>;

export const ExecutionSchema = z.object({
  executionId: name,
  orderId: name,
  orderName: z.string().max(128),
  account: name,
  instrument: name,
  action: OrderAction,
  quantity: qty,
  price,
  time: isoTime,
  commission: money,
  isEntry: z.boolean(),
  isExit: z.boolean(),
});
export type Execution = z.infer<typeof ExecutionSchema>;

export const QuoteSchema = z.object({
  instrument: name,
  bid: price,
  ask: price,
  last: price,
  volume: z.number().nonnegative(),
  time: isoTime,
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

export const ConnectionSchema = z.object({ connection: z.string().max(128), status: ConnectionStatus });
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
  positions: z.array(PositionSchema).max(100_000),
  orders: z.array(OrderSchema).max(100_000),
  executions: z.array(ExecutionSchema).max(100_000),
  quotes: z.array(QuoteSchema).max(10_000),
});
export type SnapshotState = z.infer<typeof StateSchema>;

// ---- Requests (companion → add-on) and their results ----
const account = name;
const instrument = name;
export const PlaceOrderParams = z.object({
  account,
  instrument,
  action: OrderAction,
  orderType: OrderType,
  quantity: z.number(), // range checked by the add-on so it can answer invalid_order with a reason
  limitPrice: price.optional(),
  stopPrice: price.optional(),
  timeInForce: TimeInForce,
  ocoId: z.string().min(1).max(128).optional(),
  /**
   * The client order id, namespaced per MCP client (mcp:<tag>:<clientOrderId>); the add-on
   * de-duplicates on (account, name). At most 50 characters: NT8's cap on an order Name.
   */
  name: z.string().min(1).max(50),
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
export const GetBarsParams = z.object({
  instrument,
  period: z.enum(['minute', 'day']),
  count: z.number().int().positive().max(5000),
});
export const SnapshotParams = z.object({});

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
  getBars: { params: GetBarsParams, result: z.object({ bars: z.array(BarSchema) }) },
  /** Answered with a `snapshot` message carrying the request id, not with a `response`. */
  snapshot: { params: SnapshotParams, result: StateSchema },
} as const;
export type RequestMethod = keyof typeof methods;
export const REQUEST_METHODS = Object.keys(methods) as RequestMethod[];
export type ParamsOf<M extends RequestMethod> = z.infer<(typeof methods)[M]['params']>;
export type ResultOf<M extends RequestMethod> = z.infer<(typeof methods)[M]['result']>;

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
  | z.infer<typeof SnapshotMessage>
  | z.infer<typeof EventMessage>
  | z.infer<typeof ResponseMessage>
  | z.infer<typeof PongMessage>
  | z.infer<typeof HeartbeatMessage>;

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string };

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
  return { v: PROTOCOL_VERSION, type: 'event', seq, event: { kind: 'quote', quote: { instrument, bid, ask, last, volume, time } } };
}

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
  const r = ADDON_SCHEMAS[type as AddonMessageType].safeParse(raw);
  if (!r.success) return { ok: false, error: `invalid ${type} message: ${describeIssues(r.error)}` };
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
export const WelcomeMessage = z.object({ v, type: z.literal('welcome'), protocolVersion: v });
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
