// A fake NinjaTrader behind INinjaTraderGateway for the Mono harness: accounts (Sim101, Sim102 by
// default; USD, Simulator provider, "Simulated Data Feed" connection), quotes for the ES, MES and NQ
// front months ticking a few times a second, market orders that fill at once (Submitted → Accepted →
// Working → Filled, an execution, the position), limit and stop orders that rest and fill when the
// market reaches them. With a state file, orders, positions and executions survive a restart of
// the harness, as NinjaTrader keeps an order when the add-on dies.
// C# 7.2, Mono.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using NTMcpCompanion.Gateway;
using NTMcpCompanion.Protocol;

namespace NTMcpCompanion.Harness
{
    public sealed class FakeGateway : INinjaTraderGateway, IDisposable
    {
        public const string ConnectionName = "Simulated Data Feed";

        private sealed class Contract
        {
            public string Root;
            public string FullName;
            public double Tick;
            public double PointValue;
            public double Price;
            public double Volume;
            public double High;
            public double Low;
        }

        private readonly object _lock = new object();
        private readonly Func<DateTime> _now;
        private readonly string _statePath;
        private readonly Action<string> _out;
        private readonly Random _random;
        private readonly List<string> _accounts;
        private readonly Dictionary<string, Contract> _contracts = new Dictionary<string, Contract>();
        private readonly HashSet<string> _subscribed = new HashSet<string>();
        private readonly List<OrderInfo> _orders = new List<OrderInfo>();
        private readonly Dictionary<string, PositionInfo> _positions = new Dictionary<string, PositionInfo>();
        private readonly List<ExecutionInfo> _executions = new List<ExecutionInfo>();
        private readonly Dictionary<string, double> _realized = new Dictionary<string, double>();
        private Timer _ticker;
        private int _nextId = 1;

        /// <summary>When set, SubmitOrder places and persists the order, then never returns.</summary>
        public bool HangAfterSubmit;

        public FakeGateway(IEnumerable<string> accounts, Func<DateTime> now, string statePath, Action<string> output, int seed = 7)
        {
            _accounts = accounts.ToList();
            _now = now;
            _statePath = statePath;
            _out = output ?? (s => { });
            _random = new Random(seed);
            AddContract("ES", 0.25, 50, 6000);
            AddContract("MES", 0.25, 5, 6000);
            AddContract("NQ", 0.25, 20, 21000);
            foreach (var c in _contracts.Values) _subscribed.Add(c.FullName);
            foreach (var a in _accounts) _realized[a] = 0;
            Load();
        }

        private void AddContract(string root, double tick, double pointValue, double price)
        {
            var c = new Contract { Root = root, FullName = FrontMonth(root, _now()), Tick = tick, PointValue = pointValue, Price = price, High = price, Low = price };
            _contracts[c.FullName] = c;
        }

        /// <summary>Starts the quote stream (every interval, one tick of random walk per instrument).</summary>
        public void StartQuotes(TimeSpan interval)
        {
            if (interval <= TimeSpan.Zero) return;
            _ticker = new Timer(_ => Tick(), null, interval, interval);
        }

        /// <summary>The quoted contracts, e.g. "ES 12-26, MES 12-26, NQ 12-26".</summary>
        public string Instruments { get { lock (_lock) return string.Join(", ", _contracts.Keys); } }

        public string Nt8Version { get { return "8.1.4.1 (fake)"; } }
        public bool Simulated { get { return true; } }

        // ---- front months (quarterly H M U Z; NT8 rolls 8 days before the third-Friday expiry) ----

        private static readonly string MonthCodes = "FGHJKMNQUVXZ";

        public static string FrontMonth(string root, DateTime utc)
        {
            int year = utc.Year, month = utc.Month;
            while (month % 3 != 0) month++;
            for (int i = 0; i < 8; i++)
            {
                var expiry = ThirdFriday(year, month);
                // The roll takes effect at the session start, 18:00 New York time the evening before the roll
                // date (src/market/contracts.ts rollOf; holidays are not modelled here).
                var roll = NewYorkToUtc(expiry.AddDays(-9).AddHours(18));
                if (utc < roll) return root + " " + month.ToString("00") + "-" + (year % 100).ToString("00");
                month += 3;
                if (month > 12) { month -= 12; year++; }
            }
            throw new InvalidOperationException("no front month");
        }

        private static TimeZoneInfo _newYork;

        private static DateTime NewYorkToUtc(DateTime local)
        {
            if (_newYork == null)
            {
                foreach (var id in new[] { "America/New_York", "Eastern Standard Time" })
                {
                    try { _newYork = TimeZoneInfo.FindSystemTimeZoneById(id); break; }
                    catch (Exception) { }
                }
            }
            var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
            return _newYork != null ? TimeZoneInfo.ConvertTimeToUtc(unspecified, _newYork) : DateTime.SpecifyKind(unspecified.AddHours(5), DateTimeKind.Utc);
        }

        private static DateTime ThirdFriday(int year, int month)
        {
            var d = new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Utc);
            while (d.DayOfWeek != DayOfWeek.Friday) d = d.AddDays(1);
            return d.AddDays(14);
        }

        public string ResolveInstrument(string name)
        {
            if (string.IsNullOrWhiteSpace(name)) return null;
            name = name.Trim().ToUpperInvariant();
            lock (_lock)
            {
                if (_contracts.ContainsKey(name)) return name;
                foreach (var c in _contracts.Values)
                {
                    if (name == c.Root) return c.FullName;
                    // ESZ26 → ES 12-26
                    if (name.Length == c.Root.Length + 3 && name.StartsWith(c.Root, StringComparison.Ordinal))
                    {
                        var m = MonthCodes.IndexOf(name[c.Root.Length]) + 1;
                        int yy;
                        if (m > 0 && int.TryParse(name.Substring(c.Root.Length + 1), out yy))
                        {
                            var full = c.Root + " " + m.ToString("00") + "-" + yy.ToString("00");
                            if (_contracts.ContainsKey(full)) return full;
                        }
                    }
                }
            }
            return null;
        }

        private Contract ContractOf(string name)
        {
            var full = ResolveInstrument(name);
            Contract c;
            if (full == null || !_contracts.TryGetValue(full, out c))
                throw new GatewayException("unknown_instrument", "Unknown instrument '" + name + "'. The fake NinjaTrader knows ES, MES and NQ (front months " + string.Join(", ", _contracts.Keys) + ").");
            return c;
        }

        private void CheckAccount(string account)
        {
            if (!_accounts.Contains(account))
                throw new GatewayException("unknown_account", "Account '" + account + "' is not known to NinjaTrader (accounts: " + string.Join(", ", _accounts) + ").");
        }

        // ---- state ----

        public IList<AccountInfo> GetAccounts() { lock (_lock) return _accounts.Select(AccountOf).ToList(); }

        private AccountInfo AccountOf(string name)
        {
            double unrealized = _positions.Values.Where(p => p.Account == name).Sum(p => p.UnrealizedPnL);
            double realized = _realized.ContainsKey(name) ? _realized[name] : 0;
            double commission = _executions.Where(e => e.Account == name).Sum(e => e.Commission);
            var cash = 100000 + realized - commission;
            return new AccountInfo
            {
                Name = name, DisplayName = name, Connection = ConnectionName, ConnectionStatus = "Connected", PriceStatus = "Connected",
                Provider = "Simulator", Simulated = true, Currency = "USD",
                Items = new Dictionary<string, double>
                {
                    { "cashValue", cash }, { "buyingPower", cash }, { "netLiquidation", cash + unrealized },
                    { "realizedPnL", realized }, { "unrealizedPnL", unrealized }, { "grossRealizedPnL", realized },
                    { "commission", commission },
                },
            };
        }

        public IList<ConnectionInfo> GetConnections()
        {
            return new List<ConnectionInfo> { new ConnectionInfo { Name = ConnectionName, Status = "Connected", PriceStatus = "Connected" } };
        }

        public IList<PositionInfo> GetPositions() { lock (_lock) return _positions.Values.Where(p => p.Quantity > 0).Select(Copy).ToList(); }
        public IList<OrderInfo> GetOrders() { lock (_lock) return _orders.Select(Copy).ToList(); }
        public IList<ExecutionInfo> GetExecutions() { lock (_lock) return _executions.ToList(); }
        public IList<QuoteInfo> GetQuotes() { lock (_lock) return _contracts.Values.Where(c => _subscribed.Contains(c.FullName)).Select(QuoteOf).ToList(); }

        private QuoteInfo QuoteOf(Contract c)
        {
            return new QuoteInfo
            {
                Instrument = c.FullName, Bid = c.Price - c.Tick, Ask = c.Price, Last = c.Price, Volume = c.Volume,
                BidSize = 10, AskSize = 12, DailyHigh = c.High, DailyLow = c.Low, DailyVolume = c.Volume, Time = _now(),
            };
        }

        private static OrderInfo Copy(OrderInfo o)
        {
            return new OrderInfo
            {
                OrderId = o.OrderId, Name = o.Name, Account = o.Account, Instrument = o.Instrument, Action = o.Action, OrderType = o.OrderType,
                TimeInForce = o.TimeInForce, GtdDate = o.GtdDate, Quantity = o.Quantity, Filled = o.Filled, AverageFillPrice = o.AverageFillPrice,
                LimitPrice = o.LimitPrice, StopPrice = o.StopPrice, OcoId = o.OcoId, State = o.State, Error = o.Error, Time = o.Time,
            };
        }
        private static PositionInfo Copy(PositionInfo p) { return new PositionInfo { Account = p.Account, Instrument = p.Instrument, MarketPosition = p.MarketPosition, Quantity = p.Quantity, AveragePrice = p.AveragePrice, UnrealizedPnL = p.UnrealizedPnL }; }

        // ---- events ----
        public event Action<AccountInfo> AccountChanged;
        public event Action<OrderInfo, string> OrderChanged;
        public event Action<PositionInfo> PositionChanged;
        public event Action<ExecutionInfo> ExecutionAdded;
        public event Action<QuoteInfo> QuoteChanged;
#pragma warning disable 67 // the fake connection never drops
        public event Action<ConnectionInfo> ConnectionChanged;
#pragma warning restore 67

        private void RaiseOrder(OrderInfo o) { var h = OrderChanged; if (h != null) h(Copy(o), null); }

        // ---- orders ----

        public OrderInfo FindOrderByName(string account, string name)
        {
            lock (_lock)
            {
                var o = _orders.LastOrDefault(x => x.Account == account && x.Name == name);
                return o == null ? null : Copy(o);
            }
        }

        private static bool IsTerminal(string state) { return state == "Filled" || state == "Cancelled" || state == "Rejected"; }
        private static int Sign(string action) { return action == "Buy" || action == "BuyToCover" ? 1 : -1; }

        public OrderInfo SubmitOrder(PlaceOrderRequest r)
        {
            OrderInfo order;
            lock (_lock)
            {
                CheckAccount(r.Account);
                var c = ContractOf(r.Instrument);
                if (r.Quantity <= 0) throw new GatewayException("invalid_order", "Order rejected: quantity " + r.Quantity + " is not positive.");
                foreach (var p in new[] { r.LimitPrice, r.StopPrice })
                    if (p.HasValue && Math.Abs(p.Value / c.Tick - Math.Round(p.Value / c.Tick)) > 1e-6)
                        throw new GatewayException("invalid_order", "Order rejected: price " + p.Value.ToString(CultureInfo.InvariantCulture) + " is not on the " + c.Root + " tick of " + c.Tick.ToString(CultureInfo.InvariantCulture) + ".");
                if (!string.IsNullOrEmpty(r.OcoId) && _orders.Any(o => o.OcoId == r.OcoId && IsTerminal(o.State)))
                    throw new GatewayException("invalid_order", "Order rejected: OCO id '" + r.OcoId + "' was already used by an order that has finished.");
                order = new OrderInfo
                {
                    OrderId = "FAKE" + (_nextId++).ToString("D6"), Name = r.Name, Account = r.Account, Instrument = c.FullName,
                    Action = r.Action, OrderType = r.OrderType, TimeInForce = r.TimeInForce, GtdDate = r.GtdDate,
                    Quantity = r.Quantity, LimitPrice = r.LimitPrice, StopPrice = r.StopPrice, OcoId = r.OcoId,
                    State = "Submitted", Time = _now(),
                };
                _orders.Add(order);
                _out("submitted " + order.Name + " " + order.Action + " " + order.Quantity + " " + order.Instrument + " " + order.OrderType + " " + order.OrderId);
                RaiseOrder(order);
                order.State = "Accepted"; RaiseOrder(order);
                order.State = "Working"; RaiseOrder(order);
                if (r.OrderType == "Market") Fill(order, c, Sign(order.Action) > 0 ? c.Price : c.Price - c.Tick);
                else TryFillResting(c);
                Save();
            }
            if (HangAfterSubmit)
            {
                _out("hanging after submit of " + order.Name + " (the request will never be answered)");
                Thread.Sleep(Timeout.Infinite);
            }
            lock (_lock) return Copy(order);
        }

        private void Fill(OrderInfo o, Contract c, double price)
        {
            int qty = o.Quantity - o.Filled;
            o.Filled = o.Quantity;
            o.AverageFillPrice = price;
            o.State = "Filled";
            RaiseOrder(o);
            var key = o.Account + "|" + o.Instrument;
            PositionInfo pos;
            if (!_positions.TryGetValue(key, out pos)) { pos = new PositionInfo { Account = o.Account, Instrument = o.Instrument, MarketPosition = "Flat" }; _positions[key] = pos; }
            int signed = (pos.MarketPosition == "Short" ? -pos.Quantity : pos.Quantity);
            int delta = Sign(o.Action) * qty;
            bool isEntry = signed == 0 || Math.Sign(signed) == Math.Sign(delta);
            int next = signed + delta;
            if (!isEntry)
            {
                int closed = Math.Min(Math.Abs(signed), qty);
                _realized[o.Account] = (_realized.ContainsKey(o.Account) ? _realized[o.Account] : 0) + closed * (price - pos.AveragePrice) * Math.Sign(signed) * c.PointValue;
            }
            if (next == 0) { pos.AveragePrice = 0; }
            else if (isEntry) pos.AveragePrice = (pos.AveragePrice * Math.Abs(signed) + price * qty) / Math.Abs(next);
            else if (Math.Sign(next) != Math.Sign(signed)) pos.AveragePrice = price;
            pos.Quantity = Math.Abs(next);
            pos.MarketPosition = next > 0 ? "Long" : next < 0 ? "Short" : "Flat";
            pos.UnrealizedPnL = next == 0 ? 0 : (c.Price - pos.AveragePrice) * next * c.PointValue;
            var exec = new ExecutionInfo
            {
                ExecutionId = "EX" + (_nextId++).ToString("D6"), OrderId = o.OrderId, OrderName = o.Name, Account = o.Account,
                Instrument = o.Instrument, Action = o.Action, MarketPosition = Sign(o.Action) > 0 ? "Long" : "Short",
                Quantity = qty, Price = price, Time = _now(), Commission = 2.5 * qty, IsEntry = isEntry, IsExit = !isEntry,
            };
            _executions.Add(exec);
            _out("filled " + o.Name + " " + o.Action + " " + qty + " " + o.Instrument + " @ " + price.ToString(CultureInfo.InvariantCulture));
            var he = ExecutionAdded; if (he != null) he(exec);
            var hp = PositionChanged; if (hp != null) hp(Copy(pos));
            var ha = AccountChanged; if (ha != null) ha(AccountOf(o.Account));
            if (next == 0) _positions.Remove(key);
            // OCO: the other side of the pair is cancelled when one fills.
            if (!string.IsNullOrEmpty(o.OcoId))
                foreach (var other in _orders.Where(x => x != o && x.OcoId == o.OcoId && !IsTerminal(x.State)).ToList())
                    SetCancelled(other);
        }

        private void SetCancelled(OrderInfo o)
        {
            o.State = "CancelPending"; RaiseOrder(o);
            o.State = "Cancelled"; RaiseOrder(o);
            _out("cancelled " + o.Name + " " + o.OrderId);
        }

        private void TryFillResting(Contract c)
        {
            foreach (var o in _orders.Where(x => x.Instrument == c.FullName && x.State == "Working").ToList())
            {
                if (o.State != "Working") continue; // cancelled by an OCO partner meanwhile
                double bid = c.Price - c.Tick, ask = c.Price;
                bool buy = Sign(o.Action) > 0;
                switch (o.OrderType)
                {
                    case "Limit":
                        if (buy && ask <= o.LimitPrice) Fill(o, c, ask);
                        else if (!buy && bid >= o.LimitPrice) Fill(o, c, bid);
                        break;
                    case "StopMarket":
                        if (buy && ask >= o.StopPrice) Fill(o, c, ask);
                        else if (!buy && bid <= o.StopPrice) Fill(o, c, bid);
                        break;
                    case "MIT":
                        if (buy && ask <= o.StopPrice) Fill(o, c, ask);
                        else if (!buy && bid >= o.StopPrice) Fill(o, c, bid);
                        break;
                    case "StopLimit":
                        if (buy && ask >= o.StopPrice && ask <= o.LimitPrice) Fill(o, c, ask);
                        else if (!buy && bid <= o.StopPrice && bid >= o.LimitPrice) Fill(o, c, bid);
                        break;
                }
            }
        }

        private OrderInfo Find(string account, string orderId)
        {
            CheckAccount(account);
            var o = _orders.LastOrDefault(x => x.Account == account && x.OrderId == orderId);
            if (o == null) throw new GatewayException("unknown_order", "Order '" + orderId + "' was not found on account " + account + ".");
            return o;
        }

        public OrderInfo ChangeOrder(ChangeOrderRequest r)
        {
            lock (_lock)
            {
                var o = Find(r.Account, r.OrderId);
                if (IsTerminal(o.State)) throw new GatewayException("order_not_changeable", "Order " + o.OrderId + " is " + o.State + " and can no longer be changed.");
                if (r.Quantity.HasValue) o.Quantity = r.Quantity.Value;
                if (r.LimitPrice.HasValue) o.LimitPrice = r.LimitPrice;
                if (r.StopPrice.HasValue) o.StopPrice = r.StopPrice;
                o.State = "ChangeSubmitted"; RaiseOrder(o);
                o.State = "Working"; RaiseOrder(o);
                _out("changed " + o.Name + " " + o.OrderId);
                TryFillResting(ContractOf(o.Instrument));
                Save();
                return Copy(o);
            }
        }

        public OrderInfo CancelOrder(string account, string orderId)
        {
            lock (_lock)
            {
                var o = Find(account, orderId);
                if (IsTerminal(o.State)) throw new GatewayException("order_not_changeable", "Order " + o.OrderId + " is " + o.State + " and can no longer be cancelled.");
                SetCancelled(o);
                Save();
                return Copy(o);
            }
        }

        public IList<string> CancelAllOrders(string account, string instrument)
        {
            lock (_lock)
            {
                CheckAccount(account);
                var full = instrument == null ? null : ContractOf(instrument).FullName;
                var ids = new List<string>();
                foreach (var o in _orders.Where(x => x.Account == account && !IsTerminal(x.State) && (full == null || x.Instrument == full)).ToList())
                {
                    SetCancelled(o);
                    ids.Add(o.OrderId);
                }
                Save();
                return ids;
            }
        }

        private OrderInfo MarketOrder(string account, Contract c, string action, int qty, string name)
        {
            var o = new OrderInfo
            {
                OrderId = "FAKE" + (_nextId++).ToString("D6"), Name = name, Account = account, Instrument = c.FullName, Action = action,
                OrderType = "Market", TimeInForce = "Day", Quantity = qty, State = "Submitted", Time = _now(),
            };
            _orders.Add(o);
            _out("submitted " + o.Name + " " + o.Action + " " + o.Quantity + " " + o.Instrument + " Market " + o.OrderId);
            RaiseOrder(o);
            o.State = "Accepted"; RaiseOrder(o);
            o.State = "Working"; RaiseOrder(o);
            Fill(o, c, action == "Buy" ? c.Price : c.Price - c.Tick);
            return Copy(o);
        }

        public IList<OrderInfo> Flatten(string account, string instrument)
        {
            lock (_lock)
            {
                CheckAccount(account);
                var full = instrument == null ? null : ContractOf(instrument).FullName;
                foreach (var o in _orders.Where(x => x.Account == account && !IsTerminal(x.State) && (full == null || x.Instrument == full)).ToList())
                    SetCancelled(o);
                var result = new List<OrderInfo>();
                foreach (var p in _positions.Values.Where(x => x.Account == account && x.Quantity > 0 && (full == null || x.Instrument == full)).ToList())
                    result.Add(MarketOrder(account, _contracts[p.Instrument], p.MarketPosition == "Long" ? "Sell" : "Buy", p.Quantity, "Close"));
                Save();
                return result;
            }
        }

        public IList<OrderInfo> ReversePosition(string account, string instrument)
        {
            lock (_lock)
            {
                CheckAccount(account);
                var c = ContractOf(instrument);
                PositionInfo p;
                if (!_positions.TryGetValue(account + "|" + c.FullName, out p) || p.Quantity == 0)
                    throw new GatewayException("invalid_order", "There is no open " + c.FullName + " position on " + account + " to reverse.");
                var qty = p.Quantity;
                var action = p.MarketPosition == "Long" ? "Sell" : "Buy";
                var result = new List<OrderInfo> { MarketOrder(account, c, action, qty, "Close"), MarketOrder(account, c, action, qty, "Reverse") };
                Save();
                return result;
            }
        }

        // ---- market data ----

        public string SubscribeQuotes(string instrument)
        {
            lock (_lock)
            {
                var c = ContractOf(instrument);
                _subscribed.Add(c.FullName);
                return c.FullName;
            }
        }

        public void UnsubscribeQuotes(string instrument)
        {
            lock (_lock)
            {
                var full = ResolveInstrument(instrument);
                if (full != null) _subscribed.Remove(full);
            }
        }

        public void RequestBars(BarsRequestInfo r, Action<IList<BarInfo>, GatewayException> callback)
        {
            Contract c;
            try { lock (_lock) c = ContractOf(r.Instrument); }
            catch (GatewayException e) { callback(null, e); return; }
            ThreadPool.QueueUserWorkItem(_ =>
            {
                TimeSpan step;
                switch (r.Period)
                {
                    case "day": step = TimeSpan.FromDays(r.Value); break;
                    case "minute": step = TimeSpan.FromMinutes(r.Value); break;
                    case "second": step = TimeSpan.FromSeconds(r.Value); break;
                    default: step = TimeSpan.FromSeconds(5 * r.Value); break; // tick and range bars: a made-up pace
                }
                var end = r.To ?? _now();
                int count = r.Count ?? (int)Math.Min(5000, Math.Max(1, (end - r.From.Value).Ticks / step.Ticks));
                var rnd = new Random(count);
                var bars = new List<BarInfo>();
                double price;
                lock (_lock) price = c.Price;
                var t = end;
                for (int i = 0; i < count; i++)
                {
                    double open = price + c.Tick * rnd.Next(-4, 5);
                    double close = price;
                    bars.Add(new BarInfo { Time = t, Open = open, Close = close, High = Math.Max(open, close) + c.Tick * rnd.Next(0, 4), Low = Math.Min(open, close) - c.Tick * rnd.Next(0, 4), Volume = 100 + rnd.Next(0, 900) });
                    price = open;
                    t = t - step;
                }
                bars.Reverse();
                callback(bars, null);
            });
        }

        private void Tick()
        {
            lock (_lock)
            {
                foreach (var c in _contracts.Values)
                {
                    c.Price += c.Tick * _random.Next(-2, 3);
                    c.Volume += _random.Next(1, 20);
                    c.High = Math.Max(c.High, c.Price);
                    c.Low = Math.Min(c.Low, c.Price);
                    if (_subscribed.Contains(c.FullName)) { var h = QuoteChanged; if (h != null) h(QuoteOf(c)); }
                    TryFillResting(c);
                    foreach (var p in _positions.Values.Where(x => x.Instrument == c.FullName && x.Quantity > 0))
                        p.UnrealizedPnL = (c.Price - p.AveragePrice) * (p.MarketPosition == "Short" ? -p.Quantity : p.Quantity) * c.PointValue;
                }
            }
        }

        // ---- persistence: what NT8 would still have after the add-on (or the harness) restarts ----

        private void Save()
        {
            if (_statePath == null) return;
            var o = new JsonObject()
                .Set("nextId", _nextId)
                .Set("orders", _orders.Select(Wire.Order).ToList())
                .Set("positions", _positions.Values.Select(Wire.Position).ToList())
                .Set("executions", _executions.Select(Wire.Execution).ToList())
                .Set("realized", _realized.Select(kv => new JsonObject().Set("account", kv.Key).Set("value", kv.Value)).ToList())
                .Set("prices", _contracts.Values.Select(c => new JsonObject().Set("instrument", c.FullName).Set("price", c.Price)).ToList());
            var tmp = _statePath + ".tmp";
            File.WriteAllText(tmp, Json.Write(o));
            if (File.Exists(_statePath)) File.Delete(_statePath);
            File.Move(tmp, _statePath);
        }

        private void Load()
        {
            if (_statePath == null || !File.Exists(_statePath)) return;
            var f = new Fields(Json.ParseObject(File.ReadAllText(_statePath)), "state");
            _nextId = (int)f.Long("nextId");
            foreach (var j in f.ObjectList("orders"))
            {
                var x = new Fields(j, "order");
                _orders.Add(new OrderInfo
                {
                    OrderId = x.String("orderId"), Name = x.String("name"), Account = x.String("account"), Instrument = x.String("instrument"),
                    Action = x.String("action"), OrderType = x.String("orderType"), TimeInForce = x.String("timeInForce"), GtdDate = x.OptTime("gtdDate"),
                    Quantity = (int)x.Long("quantity"), Filled = (int)x.Long("filled"), AverageFillPrice = x.Number("averageFillPrice"),
                    LimitPrice = x.OptNumber("limitPrice"), StopPrice = x.OptNumber("stopPrice"), OcoId = x.OptString("ocoId"),
                    State = x.String("state"), Error = x.OptString("error"), Time = x.OptTime("time").Value,
                });
            }
            foreach (var j in f.ObjectList("positions"))
            {
                var x = new Fields(j, "position");
                var p = new PositionInfo { Account = x.String("account"), Instrument = x.String("instrument"), MarketPosition = x.String("marketPosition"), Quantity = (int)x.Long("quantity"), AveragePrice = x.Number("averagePrice"), UnrealizedPnL = x.Number("unrealizedPnL") };
                _positions[p.Account + "|" + p.Instrument] = p;
            }
            foreach (var j in f.ObjectList("executions"))
            {
                var x = new Fields(j, "execution");
                _executions.Add(new ExecutionInfo
                {
                    ExecutionId = x.String("executionId"), OrderId = x.OptString("orderId"), OrderName = x.OptString("orderName"), Account = x.String("account"),
                    Instrument = x.String("instrument"), Action = x.String("action"), MarketPosition = x.OptString("marketPosition"), Quantity = (int)x.Long("quantity"),
                    Price = x.Number("price"), Time = x.OptTime("time").Value, Commission = x.Number("commission"), IsEntry = x.Bool("isEntry"), IsExit = x.Bool("isExit"),
                });
            }
            foreach (var j in f.ObjectList("realized"))
            {
                var x = new Fields(j, "realized");
                _realized[x.String("account")] = x.Number("value");
            }
            foreach (var j in f.ObjectList("prices"))
            {
                var x = new Fields(j, "price");
                Contract c;
                if (_contracts.TryGetValue(x.String("instrument"), out c)) { c.Price = x.Number("price"); c.High = c.Low = c.Price; }
            }
            _out("loaded state from " + _statePath + ": " + _orders.Count + " orders, " + _positions.Count + " positions, " + _executions.Count + " executions");
        }

        public void Dispose()
        {
            if (_ticker != null) _ticker.Dispose();
        }
    }
}
