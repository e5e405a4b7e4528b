// The one implementation of INinjaTraderGateway over the real NinjaTrader 8 API (NinjaScript AddOn
// reference: "Account Class", "Connection Class", "MarketData", "BarsRequest", "Instrument").
// It is plain C# 7.2 for NT8's NinjaScript compiler and compiles under Mono against addon/stubs/.
//
// Threads (help guide, "Multi-Threading Considerations for NinjaScript"): NT8 raises account, order,
// execution, position and connection events on its own worker threads and market data on the
// instrument's dispatcher. Nothing here assumes a thread: shared state is behind `sync`, every NT8
// collection is enumerated under `lock` on that collection as the help guide's examples do
// ("lock (Account.All)", "lock (myAccount.Positions)", "lock (Connection.Connections)"), and events go
// out to the Gateway's dispatcher, which serialises them onto its own queue.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using NinjaTrader.Cbi;
using NinjaTrader.Data;
using NTMcpCompanion.Gateway;

namespace NinjaTrader.NinjaScript.AddOns.McpCompanion
{
    public sealed class NinjaTraderGateway : INinjaTraderGateway, IDisposable
    {
        /// <summary>Roots quoted from start, as their NT8 front month (plus every instrument with a position
        /// or a working order). The companion resolves a root to the quoted month (docs/addon-protocol.md).</summary>
        public static readonly string[] DefaultWatchlist = { "ES", "MES", "NQ", "MNQ", "CL", "GC" };

        private const int FlushMs = 250;             // coalesce quote and account-item bursts
        private const int WatchlistRecheckMs = 15 * 60 * 1000; // pick up a new front month after rollover
        private const int BarsTimeoutMs = 120 * 1000;
        private const int FlattenWaitMs = 2000;

        private readonly object sync = new object();
        private readonly object submitLock = new object();
        private readonly Action<string, bool> log;
        private readonly HashSet<Account> accounts = new HashSet<Account>();
        private readonly Dictionary<string, QuoteSub> quotes = new Dictionary<string, QuoteSub>(StringComparer.Ordinal);
        private readonly Dictionary<Order, string> lastOrderIds = new Dictionary<Order, string>();
        private readonly Dictionary<string, Order> replacedOrderIds = new Dictionary<string, Order>(StringComparer.Ordinal);
        private readonly HashSet<string> dirtyQuotes = new HashSet<string>(StringComparer.Ordinal);
        private readonly HashSet<Account> dirtyAccounts = new HashSet<Account>();
        private Timer flushTimer;
        private DateTime lastWatchlistCheck = DateTime.MinValue;
        private bool started;
        private bool disposed;

        private sealed class QuoteSub
        {
            public Instrument Instrument;
            public bool Requested;     // the companion asked (subscribeQuotes)
            public bool Auto;          // watchlist, position or working order
            public bool Attached;      // MarketData.Update += done on the instrument's dispatcher
        }

        public NinjaTraderGateway(Action<string, bool> log)
        {
            this.log = log ?? ((m, e) => { });
        }

        // ------------------------------------------------------------------ lifecycle

        /// <summary>Subscribes the static and per-account events and the default quotes. Call once, from
        /// the AddOn's State.Active (never from SetDefaults/Configure).</summary>
        public void Start()
        {
            lock (sync)
            {
                if (started || disposed) return;
                started = true;
            }
            // "Account Class" / "AccountStatusUpdate": static, fires for every account of every connection,
            // including accounts that appear after we start (a connection made later).
            Account.AccountStatusUpdate += OnAccountStatusUpdate;
            // "Connection Class" / "ConnectionStatusUpdate": static.
            Connection.ConnectionStatusUpdate += OnConnectionStatusUpdate;
            foreach (Account a in AllAccounts()) Attach(a);
            EnsureWatchlist();
            foreach (Account a in AllAccounts()) EnsureAutoQuotesFor(a);
            flushTimer = new Timer(_ => Flush(), null, FlushMs, FlushMs);
        }

        /// <summary>Unsubscribes everything this gateway subscribed (help guide: "Remember to unsubscribe").</summary>
        public void Dispose()
        {
            List<Account> toDetach;
            List<QuoteSub> toUnquote;
            lock (sync)
            {
                if (disposed) return;
                disposed = true;
                toDetach = accounts.ToList();
                accounts.Clear();
                toUnquote = quotes.Values.ToList();
                quotes.Clear();
            }
            Timer t = flushTimer;
            flushTimer = null;
            if (t != null) t.Dispose();
            Account.AccountStatusUpdate -= OnAccountStatusUpdate;
            Connection.ConnectionStatusUpdate -= OnConnectionStatusUpdate;
            foreach (Account a in toDetach) Detach(a);
            foreach (QuoteSub q in toUnquote) DetachQuote(q);
        }

        // ------------------------------------------------------------------ INinjaTraderGateway: identity

        public string Nt8Version
        {
            // NinjaTrader's own assemblies carry the product version (8.1.x.y).
            get { return typeof(Account).Assembly.GetName().Version.ToString(); }
        }

        public bool Simulated { get { return false; } }

        // ------------------------------------------------------------------ state for snapshots

        public IList<AccountInfo> GetAccounts()
        {
            return AllAccounts().Select(MapAccount).ToList();
        }

        public IList<ConnectionInfo> GetConnections()
        {
            var list = new List<ConnectionInfo>();
            // "Connection Class" example: lock (Connection.Connections) before enumerating.
            lock (Connection.Connections)
                foreach (Connection c in Connection.Connections) list.Add(MapConnection(c));
            return list;
        }

        public IList<PositionInfo> GetPositions()
        {
            var list = new List<PositionInfo>();
            foreach (Account a in AllAccounts())
                lock (a.Positions) // "Positions (Account)" example locks the collection
                    foreach (Position p in a.Positions)
                        if (p.MarketPosition != MarketPosition.Flat && p.Quantity > 0) list.Add(MapPosition(a, p));
            return list;
        }

        public IList<OrderInfo> GetOrders()
        {
            var list = new List<OrderInfo>();
            foreach (Account a in AllAccounts())
                foreach (Order o in OrdersOf(a)) list.Add(MapOrder(o, null));
            return list;
        }

        public IList<ExecutionInfo> GetExecutions()
        {
            var list = new List<ExecutionInfo>();
            foreach (Account a in AllAccounts())
                lock (a.Executions) // "Account Class" example: lock (myAccount.Executions)
                    foreach (Execution x in a.Executions) list.Add(MapExecution(a, x));
            return list;
        }

        public IList<QuoteInfo> GetQuotes()
        {
            List<Instrument> instruments;
            lock (sync) instruments = quotes.Values.Select(q => q.Instrument).ToList();
            var list = new List<QuoteInfo>();
            foreach (Instrument i in instruments)
            {
                QuoteInfo q = BuildQuote(i);
                if (q != null) list.Add(q);
            }
            return list;
        }

        // ------------------------------------------------------------------ orders

        public OrderInfo FindOrderByName(string account, string name)
        {
            Account a = FindAccount(account);
            if (a == null || string.IsNullOrEmpty(name)) return null;
            Order o = LatestByName(a, name);
            return o == null ? null : MapOrder(o, null);
        }

        public OrderInfo SubmitOrder(PlaceOrderRequest r)
        {
            if (r == null) throw new GatewayException("invalid_request", "The order request is empty.");
            // One submission at a time: two requests with the same name must never both reach Submit().
            lock (submitLock)
            {
                Account a = RequireAccount(r.Account);
                if (string.IsNullOrEmpty(r.Name))
                    throw new GatewayException("invalid_order", "Order rejected: the order has no name; the companion's client order id must travel in the NinjaTrader order name.");
                if (r.Name.Length > 50)
                    throw new GatewayException("invalid_order", "Order rejected: the order name '" + r.Name + "' has " + r.Name.Length + " characters; NinjaTrader allows at most 50.");
                Order existing = LatestByName(a, r.Name);
                if (existing != null) return MapOrder(existing, null); // a retry: never place twice

                RequireConnected(a);
                Instrument instrument = RequireInstrument(r.Instrument);
                OrderAction action = ParseEnum<OrderAction>(r.Action, "action", "Buy, BuyToCover, Sell or SellShort");
                OrderType type = ParseEnum<OrderType>(r.OrderType, "order type", "Market, Limit, StopMarket, StopLimit or MIT");
                TimeInForce tif = ParseEnum<TimeInForce>(r.TimeInForce ?? "Day", "time in force", "Day, Gtc, Gtd, Ioc or Opg");
                if (r.Quantity <= 0)
                    throw new GatewayException("invalid_order", "Order rejected: quantity " + r.Quantity + " is not a positive whole number of contracts.");

                bool needsLimit, needsStop;
                Nt8Names.PricesFor(type.ToString(), out needsLimit, out needsStop);
                double limit = 0, stop = 0;
                if (needsLimit && type != OrderType.Market)
                {
                    if (!r.LimitPrice.HasValue || r.LimitPrice.Value <= 0)
                        throw new GatewayException("invalid_order", "Order rejected: a " + type + " order needs a limit price above 0.");
                    limit = RequireOnTick(instrument, r.LimitPrice.Value, "limit");
                }
                if (needsStop && type != OrderType.Market)
                {
                    if (!r.StopPrice.HasValue || r.StopPrice.Value <= 0)
                        throw new GatewayException("invalid_order", "Order rejected: a " + type + " order needs a stop price above 0.");
                    stop = RequireOnTick(instrument, r.StopPrice.Value, "stop");
                }
                CheckStopSide(instrument, action.ToString(), type.ToString(), stop);

                // "CreateOrder()": gtd is used with TimeInForce.Gtd; "for all other cases you can pass in
                // Core.Globals.MaxDate".
                DateTime gtd = Core.Globals.MaxDate;
                if (tif == TimeInForce.Gtd)
                {
                    if (!r.GtdDate.HasValue)
                        throw new GatewayException("invalid_order", "Order rejected: time in force Gtd needs a gtdDate (the date the order is cancelled).");
                    gtd = FromUtc(r.GtdDate.Value);
                }

                // "CreateOrder()": (instrument, action, orderType, orderEntry, timeInForce, quantity,
                // limitPrice, stopPrice, oco, name, gtd, customOrder); 0 for a price the type does not use.
                // OrderEntry.Automated: CME tag 1028 — the order comes from automated logic, not a person.
                Order order = a.CreateOrder(instrument, action, type, OrderEntry.Automated, tif, r.Quantity,
                    limit, stop, r.OcoId ?? string.Empty, r.Name, gtd, null);
                if (order == null)
                    throw new GatewayException("internal", "Internal error: NinjaTrader did not create the order " + r.Name + " on account " + a.Name + ".");
                a.Submit(new[] { order });
                EnsureAutoQuote(instrument);
                return MapOrder(order, null);
            }
        }

        public OrderInfo ChangeOrder(ChangeOrderRequest r)
        {
            if (r == null) throw new GatewayException("invalid_request", "The change request is empty.");
            Account a = RequireAccount(r.Account);
            Order o = RequireOrder(a, r.OrderId);
            RequireChangeable(o, "changed");
            RequireConnected(a);
            int qty = r.Quantity ?? o.Quantity;
            if (qty <= 0 || qty <= o.Filled && r.Quantity.HasValue)
                throw new GatewayException("invalid_order", "Order rejected: quantity " + qty + " must be a positive whole number above the " + o.Filled + " already filled.");
            bool hasLimit, hasStop;
            Nt8Names.PricesFor(o.OrderType.ToString(), out hasLimit, out hasStop);
            if (r.LimitPrice.HasValue && !hasLimit)
                throw new GatewayException("invalid_order", "Order rejected: order " + o.OrderId + " is a " + o.OrderType + " order and has no limit price to change.");
            if (r.StopPrice.HasValue && !hasStop)
                throw new GatewayException("invalid_order", "Order rejected: order " + o.OrderId + " is a " + o.OrderType + " order and has no stop price to change.");
            double limit = r.LimitPrice.HasValue ? RequireOnTick(o.Instrument, r.LimitPrice.Value, "limit") : o.LimitPrice;
            double stop = r.StopPrice.HasValue ? RequireOnTick(o.Instrument, r.StopPrice.Value, "stop") : o.StopPrice;
            if (r.StopPrice.HasValue) CheckStopSide(o.Instrument, o.OrderAction.ToString(), o.OrderType.ToString(), stop);

            // "Change()": set the *Changed properties of the order, then Account.Change(orders).
            o.QuantityChanged = qty;
            o.LimitPriceChanged = limit;
            o.StopPriceChanged = stop;
            a.Change(new[] { o });
            return MapOrder(o, null);
        }

        public OrderInfo CancelOrder(string account, string orderId)
        {
            Account a = RequireAccount(account);
            Order o = RequireOrder(a, orderId);
            RequireChangeable(o, "cancelled");
            RequireConnected(a);
            a.Cancel(new[] { o }); // "Cancel()": Account.Cancel(IEnumerable<Order>)
            return MapOrder(o, null);
        }

        public IList<string> CancelAllOrders(string account, string instrument)
        {
            Account a = RequireAccount(account);
            Instrument only = instrument == null ? null : RequireInstrument(instrument);
            var working = OrdersOf(a).Where(o => !Order.IsTerminalState(o.OrderState) &&
                (only == null || SameInstrument(o.Instrument, only))).ToList();
            if (working.Count == 0) return new List<string>(); // nothing to cancel is not an error
            RequireConnected(a);
            // "CancelAllOrders()" is per instrument: call it once for each instrument with working orders.
            var instruments = only != null ? new List<Instrument> { only } : DistinctInstruments(working.Select(o => o.Instrument));
            foreach (Instrument i in instruments) a.CancelAllOrders(i);
            return working.Select(o => o.OrderId).ToList();
        }

        public IList<OrderInfo> Flatten(string account, string instrument)
        {
            Account a = RequireAccount(account);
            List<Instrument> instruments;
            if (instrument != null) instruments = new List<Instrument> { RequireInstrument(instrument) };
            else
            {
                var candidates = new List<Instrument>();
                lock (a.Positions)
                    foreach (Position p in a.Positions)
                        if (p.MarketPosition != MarketPosition.Flat) candidates.Add(p.Instrument);
                candidates.AddRange(OrdersOf(a).Where(o => !Order.IsTerminalState(o.OrderState)).Select(o => o.Instrument));
                instruments = DistinctInstruments(candidates);
            }
            // Nothing to close is not an error, even on a disconnected account (flattenEverything walks them all).
            if (instruments.Count == 0) return new List<OrderInfo>();
            RequireConnected(a);

            var before = new HashSet<Order>(OrdersOf(a));
            int positions = 0;
            lock (a.Positions)
                foreach (Position p in a.Positions)
                    if (p.MarketPosition != MarketPosition.Flat && instruments.Any(i => SameInstrument(i, p.Instrument))) positions++;

            // "Flatten()": Account.Flatten(ICollection<Instrument>) cancels the instruments' orders and closes
            // their positions. NT8 documents no account-wide FlattenEverything; we never call it.
            a.Flatten(instruments);

            // Flatten returns nothing; its closing orders show up in Account.Orders. Give NT8 a moment so the
            // answer can name them (the order events reach the companion either way).
            var closing = new List<Order>();
            DateTime until = DateTime.UtcNow.AddMilliseconds(FlattenWaitMs);
            while (true)
            {
                closing = OrdersOf(a).Where(o => !before.Contains(o) && instruments.Any(i => SameInstrument(i, o.Instrument))).ToList();
                if (closing.Count >= positions || DateTime.UtcNow >= until) break;
                Thread.Sleep(50);
            }
            return closing.Select(o => MapOrder(o, null)).ToList();
        }

        public IList<OrderInfo> ReversePosition(string account, string instrument)
        {
            Account a = RequireAccount(account);
            RequireConnected(a);
            Instrument i = RequireInstrument(instrument);
            Position held = null;
            lock (a.Positions)
                foreach (Position p in a.Positions)
                    if (p.MarketPosition != MarketPosition.Flat && p.Quantity > 0 && SameInstrument(p.Instrument, i)) held = p;
            if (held == null)
                throw new GatewayException("invalid_order", "Order rejected: account " + a.Name + " has no open position in " + i.FullName + " to reverse.");
            bool isLong = held.MarketPosition == MarketPosition.Long;
            int qty = held.Quantity;
            // One market order for twice the position: it closes the position and opens the same size the
            // other way in a single fill, so no moment exists where only half of the reversal went through.
            Order reverse = a.CreateOrder(i, isLong ? OrderAction.Sell : OrderAction.Buy, OrderType.Market,
                OrderEntry.Automated, TimeInForce.Day, qty * 2, 0, 0, string.Empty, "MCP reverse", Core.Globals.MaxDate, null);
            if (reverse == null)
                throw new GatewayException("internal", "Internal error: NinjaTrader did not create the reversing order for " + i.FullName + " on account " + a.Name + ".");
            a.Submit(new[] { reverse });
            return new List<OrderInfo> { MapOrder(reverse, null) };
        }

        // ------------------------------------------------------------------ market data

        public string ResolveInstrument(string name)
        {
            Instrument i = Resolve(name);
            return i == null ? null : i.FullName;
        }

        public string SubscribeQuotes(string instrument)
        {
            Instrument i = RequireInstrument(instrument);
            AddQuote(i, true, false);
            return i.FullName;
        }

        public void UnsubscribeQuotes(string instrument)
        {
            Instrument i = Resolve(instrument);
            if (i == null) return;
            QuoteSub sub = null;
            lock (sync)
            {
                QuoteSub q;
                if (!quotes.TryGetValue(i.FullName, out q)) return;
                q.Requested = false;
                if (!q.Auto) { quotes.Remove(i.FullName); sub = q; }
            }
            if (sub != null) DetachQuote(sub);
        }

        public void RequestBars(BarsRequestInfo r, Action<IList<BarInfo>, GatewayException> callback)
        {
            int done = 0;
            Action<IList<BarInfo>, GatewayException> once = (bars, err) =>
            {
                if (Interlocked.Exchange(ref done, 1) == 0) callback(bars, err);
            };
            BarsRequest request = null;
            Timer timeout = null;
            try
            {
                if (r == null) throw new GatewayException("invalid_request", "The bars request is empty.");
                Instrument i = RequireInstrument(r.Instrument);
                BarsPeriodType type;
                switch ((r.Period ?? "").ToLowerInvariant())
                {
                    case "tick": type = BarsPeriodType.Tick; break;
                    case "second": type = BarsPeriodType.Second; break;
                    case "minute": type = BarsPeriodType.Minute; break;
                    case "range": type = BarsPeriodType.Range; break;
                    case "day": type = BarsPeriodType.Day; break;
                    default: throw new GatewayException("invalid_request", "Invalid getBars parameters: period '" + r.Period + "' is not tick, second, minute, range or day.");
                }
                int value = r.Value < 1 ? 1 : r.Value;
                TradingHours hours = null;
                if (!string.IsNullOrEmpty(r.TradingHours))
                {
                    hours = TradingHours.Get(r.TradingHours); // "TradingHours.Get(string name)"
                    if (hours == null)
                        throw new GatewayException("invalid_request", "Invalid getBars parameters: NinjaTrader has no trading hours template named '" + r.TradingHours + "'.");
                }

                // "BarsRequest": (instrument, barsBack) for the last N bars; (instrument, fromLocal, toLocal)
                // returns whole trading days, so bars outside [from, to] are dropped below.
                DateTime? from = r.From, to = r.To;
                if (r.Count.HasValue) request = new BarsRequest(i, r.Count.Value);
                else if (from.HasValue)
                {
                    // Whole trading days come back: ask through the end of `to`'s day (or now), filter below.
                    DateTime nowNt = FromUtc(DateTime.UtcNow);
                    DateTime toNt = to.HasValue ? FromUtc(to.Value) : nowNt;
                    if (toNt.Date < nowNt.Date) toNt = toNt.Date.AddDays(1);
                    else toNt = nowNt;
                    request = new BarsRequest(i, FromUtc(from.Value), toNt);
                }
                else throw new GatewayException("invalid_request", "Invalid getBars parameters: give count or from.");
                request.BarsPeriod = new BarsPeriod { BarsPeriodType = type, Value = value };
                if (hours != null) request.TradingHours = hours;

                BarsRequest held = request;
                string fullName = i.FullName;
                int? count = r.Count;
                timeout = new Timer(_ =>
                {
                    once(null, new GatewayException("internal", "Internal error: NinjaTrader did not answer the bars request for " + fullName + " within " + (BarsTimeoutMs / 1000) + " seconds."));
                    DisposeQuietly(held);
                }, null, BarsTimeoutMs, Timeout.Infinite);
                Timer heldTimeout = timeout;

                // "Request()": callback Action<BarsRequest, ErrorCode, string>.
                request.Request(new Action<BarsRequest, ErrorCode, string>((bars, errorCode, errorMessage) =>
                {
                    try
                    {
                        if (errorCode != ErrorCode.NoError)
                        {
                            once(null, new GatewayException("internal", "NinjaTrader could not load bars for " + fullName + ": " + errorCode + (string.IsNullOrEmpty(errorMessage) ? "" : " (" + errorMessage + ")") + "."));
                            return;
                        }
                        var list = new List<BarInfo>();
                        Bars b = bars.Bars;
                        for (int k = 0; k < b.Count; k++)
                        {
                            var bar = new BarInfo
                            {
                                Time = ToUtc(b.GetTime(k)),
                                Open = b.GetOpen(k),
                                High = b.GetHigh(k),
                                Low = b.GetLow(k),
                                Close = b.GetClose(k),
                                Volume = b.GetVolume(k),
                            };
                            if (from.HasValue && bar.Time < from.Value) continue;
                            if (to.HasValue && bar.Time > to.Value) continue;
                            list.Add(bar);
                        }
                        if (count.HasValue && list.Count > count.Value) list = list.Skip(list.Count - count.Value).ToList();
                        once(list, null);
                    }
                    catch (Exception ex)
                    {
                        once(null, new GatewayException("internal", "Internal error reading bars for " + fullName + ": " + ex.Message));
                    }
                    finally
                    {
                        heldTimeout.Dispose();
                        DisposeQuietly(bars); // "BarsRequest" example: Dispose() when done
                    }
                }));
            }
            catch (GatewayException ex)
            {
                if (timeout != null) timeout.Dispose();
                DisposeQuietly(request);
                once(null, ex);
            }
            catch (Exception ex)
            {
                if (timeout != null) timeout.Dispose();
                DisposeQuietly(request);
                once(null, new GatewayException("internal", "Internal error requesting bars: " + ex.Message));
            }
        }

        // ------------------------------------------------------------------ events out

        public event Action<AccountInfo> AccountChanged;
        public event Action<OrderInfo, string> OrderChanged;
        public event Action<PositionInfo> PositionChanged;
        public event Action<ExecutionInfo> ExecutionAdded;
        public event Action<QuoteInfo> QuoteChanged;
        public event Action<ConnectionInfo> ConnectionChanged;

        // ------------------------------------------------------------------ NT8 event handlers

        private void OnAccountStatusUpdate(object sender, AccountStatusEventArgs e)
        {
            Guard("AccountStatusUpdate", () =>
            {
                if (e.Account == null) return;
                Attach(e.Account);
                EnsureAutoQuotesFor(e.Account);
                Raise(AccountChanged, MapAccount(e.Account));
            });
        }

        private void OnConnectionStatusUpdate(object sender, ConnectionStatusEventArgs e)
        {
            Guard("ConnectionStatusUpdate", () =>
            {
                // "ConnectionStatusUpdate" example: work with a copy of the event args, they may move on.
                ConnectionStatusEventArgs copy = e;
                Connection c = copy.Connection;
                if (c == null) return;
                var info = MapConnection(c);
                info.Status = copy.Status.ToString();
                Raise(ConnectionChanged, info);
                // The accounts of this connection changed their connectionStatus too.
                foreach (Account a in AllAccounts())
                    if (a.Connection == c) lock (sync) dirtyAccounts.Add(a);
                if (copy.Status == ConnectionStatus.Connected) EnsureWatchlist();
            });
        }

        private void OnAccountItemUpdate(object sender, AccountItemEventArgs e)
        {
            // Unrealized P&L moves with every tick: coalesce into one account event per flush.
            Account a = e.Account ?? sender as Account;
            if (a == null) return;
            lock (sync) dirtyAccounts.Add(a);
        }

        private void OnOrderUpdate(object sender, OrderEventArgs e)
        {
            Guard("OrderUpdate", () =>
            {
                Order o = e.Order;
                if (o == null) return;
                string previous = null;
                lock (sync)
                {
                    string last;
                    if (lastOrderIds.TryGetValue(o, out last) && last != o.OrderId && !string.IsNullOrEmpty(last))
                    {
                        previous = last; // NT8 replaced the order id ("Order": OrderId can change)
                        replacedOrderIds[last] = o;
                    }
                    lastOrderIds[o] = o.OrderId;
                }
                Raise(OrderChanged, MapOrder(o, e), previous);
                if (!Order.IsTerminalState(e.OrderState)) EnsureAutoQuote(o.Instrument);
            });
        }

        private void OnExecutionUpdate(object sender, ExecutionEventArgs e)
        {
            Guard("ExecutionUpdate", () =>
            {
                Execution x = e.Execution;
                if (x == null) return;
                Raise(ExecutionAdded, MapExecution(x.Account ?? sender as Account, x));
            });
        }

        private void OnPositionUpdate(object sender, PositionEventArgs e)
        {
            Guard("PositionUpdate", () =>
            {
                Position p = e.Position;
                if (p == null) return;
                Account a = p.Account ?? sender as Account;
                // "PositionUpdate": the position is flat when Operation.Remove is seen; the event's own
                // MarketPosition/Quantity/AveragePrice are the values of this change (multi-threading page).
                bool flat = e.Operation.ToString() == "Remove" || e.MarketPosition == MarketPosition.Flat || e.Quantity == 0;
                var info = new PositionInfo
                {
                    Account = a == null ? null : a.Name,
                    Instrument = p.Instrument == null ? null : p.Instrument.FullName,
                    MarketPosition = flat ? "Flat" : e.MarketPosition.ToString(),
                    Quantity = flat ? 0 : e.Quantity,
                    AveragePrice = flat ? 0 : e.AveragePrice,
                    UnrealizedPnL = flat ? 0 : Unrealized(p),
                };
                Raise(PositionChanged, info);
                if (!flat) EnsureAutoQuote(p.Instrument);
            });
        }

        private void OnMarketData(object sender, MarketDataEventArgs e)
        {
            // Raised on the instrument's dispatcher for every tick: only mark, Flush() sends.
            Instrument i = e.Instrument;
            if (i == null) return;
            lock (sync) dirtyQuotes.Add(i.FullName);
        }

        private void Flush()
        {
            Guard("flush", () =>
            {
                List<string> q;
                List<Account> a;
                bool recheck;
                lock (sync)
                {
                    if (disposed) return;
                    q = dirtyQuotes.ToList();
                    dirtyQuotes.Clear();
                    a = dirtyAccounts.ToList();
                    dirtyAccounts.Clear();
                    recheck = (DateTime.UtcNow - lastWatchlistCheck).TotalMilliseconds >= WatchlistRecheckMs;
                }
                foreach (string name in q)
                {
                    QuoteSub sub;
                    lock (sync) quotes.TryGetValue(name, out sub);
                    if (sub == null) continue;
                    QuoteInfo info = BuildQuote(sub.Instrument);
                    if (info != null) Raise(QuoteChanged, info);
                }
                foreach (Account acc in a) Raise(AccountChanged, MapAccount(acc));
                if (recheck) EnsureWatchlist();
            });
        }

        // ------------------------------------------------------------------ subscriptions

        private void Attach(Account a)
        {
            lock (sync)
            {
                if (disposed || !accounts.Add(a)) return;
            }
            // "AccountItemUpdate", "OrderUpdate", "ExecutionUpdate", "PositionUpdate": per-account events.
            a.AccountItemUpdate += OnAccountItemUpdate;
            a.OrderUpdate += OnOrderUpdate;
            a.ExecutionUpdate += OnExecutionUpdate;
            a.PositionUpdate += OnPositionUpdate;
            foreach (Order o in OrdersOf(a)) lock (sync) lastOrderIds[o] = o.OrderId;
        }

        private void Detach(Account a)
        {
            a.AccountItemUpdate -= OnAccountItemUpdate;
            a.OrderUpdate -= OnOrderUpdate;
            a.ExecutionUpdate -= OnExecutionUpdate;
            a.PositionUpdate -= OnPositionUpdate;
        }

        private void EnsureWatchlist()
        {
            lock (sync) lastWatchlistCheck = DateTime.UtcNow;
            foreach (string root in DefaultWatchlist)
            {
                try
                {
                    Instrument i = Resolve(root);
                    if (i != null) AddQuote(i, false, true);
                }
                catch (Exception ex) { log("Could not start quotes for " + root + ": " + ex.Message, true); }
            }
        }

        private void EnsureAutoQuotesFor(Account a)
        {
            var instruments = new List<Instrument>();
            lock (a.Positions)
                foreach (Position p in a.Positions)
                    if (p.MarketPosition != MarketPosition.Flat) instruments.Add(p.Instrument);
            instruments.AddRange(OrdersOf(a).Where(o => !Order.IsTerminalState(o.OrderState)).Select(o => o.Instrument));
            foreach (Instrument i in DistinctInstruments(instruments)) EnsureAutoQuote(i);
        }

        private void EnsureAutoQuote(Instrument i)
        {
            if (i != null) AddQuote(i, false, true);
        }

        private void AddQuote(Instrument i, bool requested, bool auto)
        {
            QuoteSub sub;
            lock (sync)
            {
                if (disposed) return;
                if (quotes.TryGetValue(i.FullName, out sub))
                {
                    sub.Requested |= requested;
                    sub.Auto |= auto;
                    return;
                }
                sub = new QuoteSub { Instrument = i, Requested = requested, Auto = auto };
                quotes[i.FullName] = sub;
            }
            // "MarketData" example: subscribe on the instrument's dispatcher, asynchronously, unless it is
            // shutting down. Snapshot values are available right after subscribing.
            if (i.Dispatcher.HasShutdownStarted) return;
            QuoteSub s = sub;
            i.Dispatcher.InvokeAsync(() =>
            {
                lock (sync)
                {
                    // Dispose() or UnsubscribeQuotes() may have run before this did: then do not attach.
                    QuoteSub current;
                    if (disposed || !quotes.TryGetValue(i.FullName, out current) || current != s) return;
                    s.Attached = true;
                }
                i.MarketData.Update += OnMarketData;
                lock (sync) dirtyQuotes.Add(i.FullName);
            });
        }

        private void DetachQuote(QuoteSub q)
        {
            Instrument i = q.Instrument;
            if (i.Dispatcher.HasShutdownStarted) return;
            // "MarketData": "You should only unsubscribe to a market data event if you are actually
            // subscribed." Queued after the subscribe on the same dispatcher, so Attached is settled here.
            i.Dispatcher.InvokeAsync(() =>
            {
                bool attached;
                lock (sync) { attached = q.Attached; q.Attached = false; }
                if (attached) i.MarketData.Update -= OnMarketData;
            });
        }

        // ------------------------------------------------------------------ lookups and checks

        private static List<Account> AllAccounts()
        {
            // "Account Class" examples: lock (Account.All) before reading it.
            lock (Account.All) return Account.All.ToList();
        }

        private static List<Order> OrdersOf(Account a)
        {
            lock (a.Orders) return a.Orders.ToList();
        }

        private static Account FindAccount(string name)
        {
            if (string.IsNullOrEmpty(name)) return null;
            return AllAccounts().FirstOrDefault(a => a.Name == name);
        }

        private static Account RequireAccount(string name)
        {
            Account a = FindAccount(name);
            if (a != null) return a;
            string known = string.Join(", ", AllAccounts().Select(x => x.Name));
            throw new GatewayException("unknown_account", "Account '" + name + "' is not known to NinjaTrader (accounts: " + (known.Length == 0 ? "none" : known) + ").");
        }

        private static void RequireConnected(Account a)
        {
            Connection c = a.Connection;
            if (c == null)
                throw new GatewayException("invalid_order", "Order rejected: account " + a.Name + " has no NinjaTrader connection, so NinjaTrader cannot route orders for it.");
            if (c.Status != ConnectionStatus.Connected)
                throw new GatewayException("invalid_order", "Order rejected: account " + a.Name + " belongs to the NinjaTrader connection '" + c.Options.Name + "', which is " + c.Status + ", not Connected. Connect it in NinjaTrader's Control Center first.");
        }

        private Instrument RequireInstrument(string name)
        {
            Instrument i = Resolve(name);
            if (i != null) return i;
            throw new GatewayException("unknown_instrument", "Unknown instrument '" + name + "'. Use a root (ES, MES, NQ, MNQ, CL, GC) or a contract like ES 12-26.");
        }

        /// <summary>"ES 12-26" as is; "ESZ26" → "ES 12-26"; "ES" → NT8's current contract from the master
        /// instrument's GetNextExpiry ("MasterInstrument.GetNextExpiry": the current futures expiry for a
        /// date, which follows NT8's rollover). Instrument.GetInstrument does the lookup ("GetInstrument()").</summary>
        private static Instrument Resolve(string name)
        {
            bool isRoot;
            DateTime now = Core.Globals.Now;
            string n = Nt8Names.Normalise(name, now, out isRoot);
            if (n == null) return null;
            if (!isRoot) return Instrument.GetInstrument(n);
            Instrument master = Instrument.GetInstrument(n) ?? Instrument.GetInstrument(n + " ##-##");
            if (master == null) return null;
            if (master.MasterInstrument.InstrumentType != InstrumentType.Future) return master;
            DateTime expiry = master.MasterInstrument.GetNextExpiry(now);
            if (expiry == DateTime.MinValue || expiry == DateTime.MaxValue) return null;
            return Instrument.GetInstrument(Nt8Names.ContractName(master.MasterInstrument.Name, expiry));
        }

        private Order RequireOrder(Account a, string orderId)
        {
            if (!string.IsNullOrEmpty(orderId))
            {
                List<Order> orders = OrdersOf(a);
                Order o = orders.FirstOrDefault(x => x.OrderId == orderId);
                if (o != null) return o;
                o = FindReplaced(orderId); // an id NT8 has since replaced
                if (o != null && o.Account == a) return o;
                o = LatestByName(a, orderId); // the protocol lets a client name the order instead
                if (o != null) return o;
            }
            throw new GatewayException("unknown_order", "Order '" + orderId + "' was not found on account " + a.Name + ".");
        }

        private Order FindReplaced(string orderId)
        {
            lock (sync)
            {
                Order o;
                return replacedOrderIds.TryGetValue(orderId, out o) ? o : null;
            }
        }

        private static Order LatestByName(Account a, string name)
        {
            Order best = null;
            foreach (Order o in OrdersOf(a))
                if (o.Name == name && (best == null || o.Time > best.Time)) best = o;
            return best;
        }

        private static void RequireChangeable(Order o, string verb)
        {
            // "IsTerminalState()": Cancelled, Filled, Rejected and Unknown are terminal.
            if (Order.IsTerminalState(o.OrderState))
                throw new GatewayException("order_not_changeable", "Order " + o.OrderId + " is " + o.OrderState + " and can no longer be " + verb + ".");
        }

        private static double RequireOnTick(Instrument i, double price, string which)
        {
            // "RoundToTickSize()": the nearest valid price; a price that moves is not on the tick.
            double rounded = i.MasterInstrument.RoundToTickSize(price);
            if (Math.Abs(rounded - price) > i.MasterInstrument.TickSize * 1e-6)
                throw new GatewayException("invalid_order", "Order rejected: " + which + " price " + Fmt(i, price) + " is not on " + i.FullName + "'s tick size of " + i.MasterInstrument.TickSize.ToString(CultureInfo.InvariantCulture) + " (nearest: " + Fmt(i, rounded) + ").");
            return rounded;
        }

        private static void CheckStopSide(Instrument i, string action, string orderType, double stop)
        {
            if (stop <= 0 || (orderType != "StopMarket" && orderType != "StopLimit" && orderType != "MIT")) return;
            MarketData md = i.MarketData;
            if (md == null) return;
            bool buy = Nt8Names.IsBuy(action);
            double market = buy ? Price(md.Ask) : Price(md.Bid);
            if (market <= 0) market = Price(md.Last);
            if (market <= 0) return; // no quote yet: NT8 itself will judge
            bool stopType = orderType != "MIT";
            // A buy stop triggers above the market, a sell stop below; MIT the other way round.
            bool wrong = stopType ? (buy ? stop <= market : stop >= market) : (buy ? stop >= market : stop <= market);
            if (!wrong) return;
            string side = buy ? "buy" : "sell";
            string where = stop <= market ? "below" : "above";
            string kind = stopType ? side + " stop" : side + " MIT";
            throw new GatewayException("invalid_order", "Order rejected: stop price " + Fmt(i, stop) + " is " + (stop == market ? "at" : where) + " the market " + Fmt(i, market) + " for a " + kind + ".");
        }

        private static T ParseEnum<T>(string text, string what, string allowed) where T : struct
        {
            T value;
            if (!string.IsNullOrEmpty(text) && !text.Any(char.IsDigit) && Enum.TryParse(text, false, out value)) return value;
            throw new GatewayException("invalid_order", "Order rejected: " + what + " '" + text + "' is not one NinjaTrader knows (" + allowed + ").");
        }

        // ------------------------------------------------------------------ mapping NT8 → model

        private static AccountInfo MapAccount(Account a)
        {
            Connection c = a.Connection;
            var info = new AccountInfo
            {
                Name = a.Name,
                DisplayName = DisplayNameOf(a),
                Connection = c == null ? null : c.Options.Name,
                ConnectionStatus = c == null ? "Disconnected" : c.Status.ToString(),
                PriceStatus = c == null ? "Disconnected" : c.PriceStatus.ToString(),
                Provider = a.Provider.ToString(),
                Simulated = a.Provider == Provider.Simulator || a.Provider == Provider.Playback,
                Currency = Nt8Names.IsoCurrency(a.Denomination.ToString()),
            };
            foreach (var item in Nt8Names.AccountItems)
            {
                AccountItem nt;
                if (!Enum.TryParse(item.Key, false, out nt)) continue; // not in this NT8 build
                try
                {
                    // "Get()": Get(AccountItem, Currency); the currency "has no effect on returned value".
                    info.Items[item.Value] = a.Get(nt, a.Denomination);
                }
                catch (Exception) { /* the provider does not report this item */ }
            }
            foreach (string required in Nt8Names.RequiredItems)
                if (!info.Items.ContainsKey(required)) info.Items[required] = 0;
            return info;
        }

        /// <summary>Prop-firm accounts show a display name in NT8. The help guide does not document an
        /// Account.DisplayName member, so it is read by reflection and Name is used when it is absent.</summary>
        private static string DisplayNameOf(Account a)
        {
            try
            {
                var p = a.GetType().GetProperty("DisplayName");
                var v = p == null ? null : p.GetValue(a, null) as string;
                return string.IsNullOrEmpty(v) ? a.Name : v;
            }
            catch (Exception) { return a.Name; }
        }

        private static ConnectionInfo MapConnection(Connection c)
        {
            return new ConnectionInfo
            {
                Name = c.Options.Name,
                Status = c.Status.ToString(),
                PriceStatus = c.PriceStatus.ToString(),
            };
        }

        private static OrderInfo MapOrder(Order o, OrderEventArgs e)
        {
            string type = o.OrderType.ToString();
            bool hasLimit, hasStop;
            Nt8Names.PricesFor(type, out hasLimit, out hasStop);
            string tif = o.TimeInForce.ToString();
            var info = new OrderInfo
            {
                OrderId = o.OrderId,
                Name = o.Name ?? "",
                Account = o.Account == null ? null : o.Account.Name,
                Instrument = o.Instrument == null ? null : o.Instrument.FullName,
                Action = o.OrderAction.ToString(),
                OrderType = type,
                TimeInForce = tif,
                GtdDate = tif == "Gtd" ? ToUtc(o.Gtd) : (DateTime?)null,
                // The event's values are this transition's, in sequence; the order object may already be
                // further along ("Multi-threaded consideration for Order, Execution and Position objects").
                Quantity = e != null ? e.Quantity : o.Quantity,
                Filled = e != null ? e.Filled : o.Filled,
                AverageFillPrice = e != null ? e.AverageFillPrice : o.AverageFillPrice,
                LimitPrice = hasLimit && o.LimitPrice > 0 ? o.LimitPrice : (double?)null,
                StopPrice = hasStop && o.StopPrice > 0 ? o.StopPrice : (double?)null,
                OcoId = string.IsNullOrEmpty(o.Oco) ? null : o.Oco,
                State = (e != null ? e.OrderState : o.OrderState).ToString(),
                Error = e != null && e.Error != ErrorCode.NoError
                    ? e.Error + (string.IsNullOrEmpty(e.Comment) ? "" : ": " + e.Comment) : null,
                Time = ToUtc(o.Time),
            };
            if (type == "Market") { info.LimitPrice = null; info.StopPrice = null; }
            return info;
        }

        private static PositionInfo MapPosition(Account a, Position p)
        {
            return new PositionInfo
            {
                Account = a.Name,
                Instrument = p.Instrument.FullName,
                MarketPosition = p.MarketPosition.ToString(),
                Quantity = p.Quantity,
                AveragePrice = p.AveragePrice,
                UnrealizedPnL = Unrealized(p),
            };
        }

        private static double Unrealized(Position p)
        {
            try { return p.GetUnrealizedProfitLoss(PerformanceUnit.Currency); } // last price when none is given
            catch (Exception) { return 0; }
        }

        private static ExecutionInfo MapExecution(Account a, Execution x)
        {
            // "Execution": not every execution has an Order (ATM children, manual fills).
            Order o = x.Order;
            string marketPosition = x.MarketPosition.ToString();
            return new ExecutionInfo
            {
                ExecutionId = x.ExecutionId,
                OrderId = o != null ? o.OrderId : (string.IsNullOrEmpty(x.OrderId) ? null : x.OrderId),
                OrderName = o != null ? o.Name : null,
                Account = a != null ? a.Name : null,
                Instrument = x.Instrument == null ? null : x.Instrument.FullName,
                Action = o != null ? o.OrderAction.ToString() : (marketPosition == "Short" ? "Sell" : "Buy"),
                MarketPosition = marketPosition,
                Quantity = x.Quantity,
                Price = x.Price,
                Time = ToUtc(x.Time),
                Commission = x.Commission,
                IsEntry = x.IsEntry,
                IsExit = x.IsExit,
            };
        }

        private static QuoteInfo BuildQuote(Instrument i)
        {
            MarketData md = i.MarketData;
            if (md == null) return null;
            double bid = Price(md.Bid), ask = Price(md.Ask), last = Price(md.Last);
            if (bid <= 0 && ask <= 0 && last <= 0) return null; // nothing streamed yet
            DateTime t = Latest(md.Last, Latest(md.Bid, Latest(md.Ask, DateTime.MinValue)));
            return new QuoteInfo
            {
                Instrument = i.FullName,
                Bid = bid,
                Ask = ask,
                Last = last,
                Volume = md.DailyVolume != null ? md.DailyVolume.Volume : (md.Last != null ? md.Last.Volume : 0),
                BidSize = md.Bid != null ? md.Bid.Volume : (double?)null,
                AskSize = md.Ask != null ? md.Ask.Volume : (double?)null,
                DailyHigh = PriceOrNull(md.DailyHigh),
                DailyLow = PriceOrNull(md.DailyLow),
                DailyVolume = md.DailyVolume != null ? md.DailyVolume.Volume : (double?)null,
                Settlement = PriceOrNull(md.Settlement),
                Time = t == DateTime.MinValue ? DateTime.UtcNow : ToUtc(t),
            };
        }

        private static double Price(MarketDataEventArgs x) { return x == null ? 0 : x.Price; }
        private static double? PriceOrNull(MarketDataEventArgs x) { return x == null || x.Price <= 0 ? (double?)null : x.Price; }
        private static DateTime Latest(MarketDataEventArgs x, DateTime other) { return x != null && x.Time > other ? x.Time : other; }

        // ------------------------------------------------------------------ time

        /// <summary>NT8 stamps times in the time zone of Tools → Options → General
        /// (Core.Globals.GeneralOptions.TimeZoneInfo); the protocol speaks UTC.</summary>
        private static DateTime ToUtc(DateTime t)
        {
            if (t.Kind == DateTimeKind.Utc) return t;
            if (t == DateTime.MinValue || t == DateTime.MaxValue) return DateTime.SpecifyKind(t, DateTimeKind.Utc);
            if (t.Kind == DateTimeKind.Local) return t.ToUniversalTime();
            try { return TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(t, DateTimeKind.Unspecified), NtZone()); }
            catch (ArgumentException) { return DateTime.SpecifyKind(t.ToUniversalTime(), DateTimeKind.Utc); }
        }

        private static DateTime FromUtc(DateTime utc)
        {
            DateTime u = utc.Kind == DateTimeKind.Utc ? utc : DateTime.SpecifyKind(utc, DateTimeKind.Utc);
            return DateTime.SpecifyKind(TimeZoneInfo.ConvertTimeFromUtc(u, NtZone()), DateTimeKind.Unspecified);
        }

        private static TimeZoneInfo NtZone()
        {
            try { return Core.Globals.GeneralOptions.TimeZoneInfo ?? TimeZoneInfo.Local; }
            catch (Exception) { return TimeZoneInfo.Local; }
        }

        // ------------------------------------------------------------------ helpers

        private static string Fmt(Instrument i, double price)
        {
            try { return i.MasterInstrument.FormatPrice(price); }
            catch (Exception) { return price.ToString("0.00######", CultureInfo.InvariantCulture); }
        }

        private static bool SameInstrument(Instrument a, Instrument b)
        {
            return a != null && b != null && a.FullName == b.FullName;
        }

        private static List<Instrument> DistinctInstruments(IEnumerable<Instrument> items)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var list = new List<Instrument>();
            foreach (Instrument i in items)
                if (i != null && seen.Add(i.FullName)) list.Add(i);
            return list;
        }

        private static void DisposeQuietly(IDisposable d)
        {
            if (d == null) return;
            try { d.Dispose(); } catch (Exception) { }
        }

        private void Raise<T>(Action<T> handler, T value)
        {
            if (handler == null) return;
            try { handler(value); }
            catch (Exception ex) { log("A gateway event handler failed: " + ex.Message, true); }
        }

        private void Raise<T1, T2>(Action<T1, T2> handler, T1 a, T2 b)
        {
            if (handler == null) return;
            try { handler(a, b); }
            catch (Exception ex) { log("A gateway event handler failed: " + ex.Message, true); }
        }

        private void Guard(string where, Action body)
        {
            try { body(); }
            catch (Exception ex) { log("NinjaTrader " + where + " handling failed: " + ex.Message, true); }
        }
    }
}
