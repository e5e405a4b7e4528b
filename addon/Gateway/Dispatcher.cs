// Maps protocol requests to INinjaTraderGateway calls and gateway events to protocol messages, on
// ONE serial queue (one worker thread):
// - every gateway event, raised on any thread, is converted at once (the entity as it is now) and
//   queued; the worker gives it the next seq (+1 each) and sends it;
// - a snapshot is produced on the same worker, so it carries the seq of the last event already
//   sent and no event can slip between the state it reads and that number;
// - a request runs on the worker; its response is queued behind it, after the events the gateway
//   raised while handling it, so the companion sees those events before the answer.
// placeOrder de-duplicates by name (FindOrderByName BEFORE SubmitOrder): a retried request with a
// name NT8 already has returns that order and places nothing.
// Named RequestDispatcher, not Dispatcher: NinjaScript files import System.Windows.Threading, whose
// Dispatcher type would make the short name ambiguous in the NT8 layer.
// C# 7.2 / .NET Framework 4.8.
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using NTMcpCompanion.Protocol;

namespace NTMcpCompanion.Gateway
{
    public sealed class RequestDispatcher : IDisposable
    {
        public const int MaxOrderNameLength = 50;

        private readonly INinjaTraderGateway _gateway;
        private readonly Func<Message, bool> _send;
        private readonly Action<string, bool> _log;
        private readonly BlockingCollection<Action> _queue = new BlockingCollection<Action>();
        private readonly Thread _worker;
        private long _seq;
        private bool _attached;

        // Kept as fields so Detach removes exactly what Attach added.
        private readonly Action<AccountInfo> _onAccount;
        private readonly Action<OrderInfo, string> _onOrder;
        private readonly Action<PositionInfo> _onPosition;
        private readonly Action<ExecutionInfo> _onExecution;
        private readonly Action<QuoteInfo> _onQuote;
        private readonly Action<ConnectionInfo> _onConnection;

        /// <param name="send">Queues a message on the link; false when there is no connection (then
        /// the message is dropped: the next connection starts with a snapshot).</param>
        public RequestDispatcher(INinjaTraderGateway gateway, Func<Message, bool> send, Action<string, bool> log)
        {
            if (gateway == null) throw new ArgumentNullException("gateway");
            _gateway = gateway;
            _send = send ?? (m => false);
            _log = log ?? ((m, e) => { });
            _onAccount = a => Raise("account", "account", Wire.Account(a), null);
            _onOrder = (o, prev) => Raise("order", "order", Wire.Order(o), prev);
            _onPosition = p => Raise("position", "position", Wire.Position(p), null);
            _onExecution = x => Raise("execution", "execution", Wire.Execution(x), null);
            _onQuote = q => Raise("quote", "quote", Wire.Quote(q), null);
            _onConnection = c => Raise("connection", "connection", Wire.Connection(c), null);
            _worker = new Thread(Work) { IsBackground = true, Name = "NTMcpCompanion dispatcher" };
            _worker.Start();
        }

        /// <summary>The seq of the last event handed to the link.</summary>
        public long Seq { get { return Interlocked.Read(ref _seq); } }

        public void Attach()
        {
            if (_attached) return;
            _attached = true;
            _gateway.AccountChanged += _onAccount;
            _gateway.OrderChanged += _onOrder;
            _gateway.PositionChanged += _onPosition;
            _gateway.ExecutionAdded += _onExecution;
            _gateway.QuoteChanged += _onQuote;
            _gateway.ConnectionChanged += _onConnection;
        }

        public void Detach()
        {
            if (!_attached) return;
            _attached = false;
            _gateway.AccountChanged -= _onAccount;
            _gateway.OrderChanged -= _onOrder;
            _gateway.PositionChanged -= _onPosition;
            _gateway.ExecutionAdded -= _onExecution;
            _gateway.QuoteChanged -= _onQuote;
            _gateway.ConnectionChanged -= _onConnection;
        }

        private void Post(Action a)
        {
            try { _queue.Add(a); }
            catch (InvalidOperationException) { } // disposed: nothing more is sent
        }

        private void Work()
        {
            foreach (var a in _queue.GetConsumingEnumerable())
            {
                try { a(); }
                catch (Exception e) { _log("The dispatcher hit an error: " + e.Message, true); }
            }
        }

        /// <summary>Waits until everything queued so far has been handled (tests, shutdown).</summary>
        public bool WaitIdle(TimeSpan timeout)
        {
            using (var done = new ManualResetEventSlim(false))
            {
                Post(() => done.Set());
                return done.Wait(timeout);
            }
        }

        private void Raise(string kind, string payloadName, JsonObject payload, string previousOrderId)
        {
            Post(() =>
            {
                var seq = Interlocked.Increment(ref _seq);
                var m = EventMessage.Of(seq, kind, payloadName, payload);
                if (previousOrderId != null) m.Event.Set("previousOrderId", previousOrderId);
                _send(m);
            });
        }

        /// <summary>Queues a request; its answer (a response, or a snapshot) is sent from the queue.</summary>
        public void HandleRequest(RequestMessage request)
        {
            Post(() => Execute(request));
        }

        private void Respond(Message m)
        {
            // Behind whatever the gateway raised while the request ran.
            Post(() => _send(m));
        }

        private void Execute(RequestMessage r)
        {
            if (r.Method == "snapshot")
            {
                SendSnapshot(r.Id);
                return;
            }
            if (r.Method == "getBars")
            {
                BarsRequestInfo bars;
                try { bars = Wire.GetBars(r.Params); }
                catch (Exception e) { Respond(Failure(r, e)); return; }
                int answered = 0;
                try
                {
                    _gateway.RequestBars(bars, (list, error) =>
                    {
                        if (Interlocked.Exchange(ref answered, 1) == 1) return;
                        if (error != null) Respond(ResponseMessage.Failure(r.Id, error.Code, error.Message));
                        else Respond(ResponseMessage.Success(r.Id, new JsonObject().Set("bars", Wire.All(list, Wire.Bar))));
                    });
                }
                catch (Exception e)
                {
                    if (Interlocked.Exchange(ref answered, 1) == 0) Respond(Failure(r, e));
                }
                return;
            }
            ResponseMessage response;
            try { response = ResponseMessage.Success(r.Id, Run(r.Method, r.Params)); }
            catch (Exception e) { response = Failure(r, e); }
            Respond(response);
        }

        private ResponseMessage Failure(RequestMessage r, Exception e)
        {
            var ge = e as GatewayException;
            if (ge != null) return ResponseMessage.Failure(r.Id, ge.Code, ge.Message);
            var pe = e as ProtocolException;
            if (pe != null) return ResponseMessage.Failure(r.Id, "invalid_request", "Invalid " + r.Method + " parameters: " + pe.Message);
            _log("Request " + r.Method + " failed: " + e, true);
            return ResponseMessage.Failure(r.Id, "internal", "Internal error in the add-on while handling " + r.Method + ": " + e.Message);
        }

        private void SendSnapshot(string id)
        {
            SnapshotMessage s;
            try
            {
                s = new SnapshotMessage
                {
                    Id = id,
                    Seq = Interlocked.Read(ref _seq),
                    Accounts = Wire.All(_gateway.GetAccounts(), Wire.Account),
                    Connections = Wire.All(_gateway.GetConnections(), Wire.Connection),
                    Positions = Wire.All(_gateway.GetPositions(), Wire.Position),
                    Orders = Wire.All(_gateway.GetOrders(), Wire.Order),
                    Executions = Wire.All(_gateway.GetExecutions(), Wire.Execution),
                    Quotes = Wire.All(_gateway.GetQuotes(), Wire.Quote),
                };
            }
            catch (Exception e)
            {
                // A snapshot has no error answer in the protocol; the companion times out and asks again.
                _log("Could not build the snapshot: " + e.Message, true);
                return;
            }
            if (_send(s))
                _log("Sent a snapshot (seq " + s.Seq + "): " + s.Accounts.Count + " accounts, " + s.Positions.Count + " positions, " +
                     s.Orders.Count + " orders, " + s.Executions.Count + " executions, " + s.Quotes.Count + " quotes.", false);
        }

        private JsonObject Run(string method, JsonObject p)
        {
            switch (method)
            {
                case "placeOrder": return new JsonObject().Set("order", Wire.Order(PlaceOrder(Wire.PlaceOrder(p))));
                case "changeOrder": return new JsonObject().Set("order", Wire.Order(NotNull(_gateway.ChangeOrder(Wire.ChangeOrder(p)), "changeOrder")));
                case "cancelOrder":
                    {
                        var f = new Fields(p, "cancelOrder");
                        return new JsonObject().Set("order", Wire.Order(NotNull(_gateway.CancelOrder(f.String("account"), f.String("orderId")), "cancelOrder")));
                    }
                case "cancelAllOrders":
                    {
                        var f = new Fields(p, "cancelAllOrders");
                        return new JsonObject().Set("cancelled", _gateway.CancelAllOrders(f.String("account"), f.OptString("instrument")) ?? new List<string>());
                    }
                case "flatten":
                    {
                        var f = new Fields(p, "flatten");
                        return new JsonObject().Set("orders", Wire.All(_gateway.Flatten(f.String("account"), f.OptString("instrument")), Wire.Order));
                    }
                case "flattenEverything":
                    {
                        // NT8 documents no account-wide FlattenEverything: flatten each account in turn.
                        var orders = new List<JsonObject>();
                        foreach (var a in _gateway.GetAccounts())
                            orders.AddRange(Wire.All(_gateway.Flatten(a.Name, null), Wire.Order));
                        return new JsonObject().Set("orders", orders);
                    }
                case "reversePosition":
                    {
                        var f = new Fields(p, "reversePosition");
                        return new JsonObject().Set("orders", Wire.All(_gateway.ReversePosition(f.String("account"), f.String("instrument")), Wire.Order));
                    }
                case "subscribeQuotes":
                    {
                        var list = InstrumentList(p, "subscribeQuotes");
                        var done = new List<string>();
                        foreach (var i in list) done.Add(_gateway.SubscribeQuotes(i));
                        return new JsonObject().Set("subscribed", done);
                    }
                case "unsubscribeQuotes":
                    {
                        var list = InstrumentList(p, "unsubscribeQuotes");
                        foreach (var i in list) _gateway.UnsubscribeQuotes(i);
                        return new JsonObject().Set("unsubscribed", list);
                    }
                default:
                    throw new GatewayException("invalid_request", "This add-on does not know the request method '" + method + "'; update the add-on.");
            }
        }

        private static List<string> InstrumentList(JsonObject p, string method)
        {
            var list = new Fields(p, method).StringList("instruments");
            if (list.Count < 1 || list.Count > 50)
                throw new ProtocolException("invalid_request", method + ".instruments: expected 1 to 50 instruments, got " + list.Count + ".");
            return list;
        }

        private static OrderInfo NotNull(OrderInfo o, string method)
        {
            if (o == null) throw new InvalidOperationException("the gateway returned no order for " + method);
            return o;
        }

        private static readonly HashSet<string> Actions = new HashSet<string> { "Buy", "BuyToCover", "Sell", "SellShort" };
        private static readonly HashSet<string> TimesInForce = new HashSet<string> { "Day", "Gtc", "Gtd", "Ioc", "Opg" };

        /// <summary>The generic re-checks, then dedup by name, then submit.</summary>
        public OrderInfo PlaceOrder(PlaceOrderRequest r)
        {
            if (string.IsNullOrEmpty(r.Name))
                throw new GatewayException("invalid_order", "Order rejected: it has no name (the client order id), so a retry could place it twice.");
            if (r.Name.Length > MaxOrderNameLength)
                throw new GatewayException("invalid_order", "Order rejected: the name '" + r.Name + "' is " + r.Name.Length + " characters; NinjaTrader allows at most " + MaxOrderNameLength + ", and the add-on never truncates it.");
            if (r.Quantity <= 0)
                throw new GatewayException("invalid_order", "Order rejected: quantity " + r.Quantity + " is not a positive whole number of contracts.");
            if (!Actions.Contains(r.Action))
                throw new GatewayException("invalid_order", "Order rejected: action '" + r.Action + "' is not one of Buy, BuyToCover, Sell, SellShort.");
            if (!TimesInForce.Contains(r.TimeInForce))
                throw new GatewayException("invalid_order", "Order rejected: time in force '" + r.TimeInForce + "' is not one of Day, Gtc, Gtd, Ioc, Opg.");
            if (r.TimeInForce == "Gtd" && !r.GtdDate.HasValue)
                throw new GatewayException("invalid_order", "Order rejected: a Gtd order needs gtdDate (the date it expires).");
            CheckPrice(r.LimitPrice, "limit");
            CheckPrice(r.StopPrice, "stop");
            switch (r.OrderType)
            {
                case "Market":
                    break;
                case "Limit":
                    if (!r.LimitPrice.HasValue) throw new GatewayException("invalid_order", "Order rejected: a Limit order needs limitPrice.");
                    break;
                case "StopMarket":
                case "MIT":
                    if (!r.StopPrice.HasValue) throw new GatewayException("invalid_order", "Order rejected: a " + r.OrderType + " order needs stopPrice (its trigger price).");
                    break;
                case "StopLimit":
                    if (!r.StopPrice.HasValue || !r.LimitPrice.HasValue) throw new GatewayException("invalid_order", "Order rejected: a StopLimit order needs both stopPrice and limitPrice.");
                    break;
                default:
                    throw new GatewayException("invalid_order", "Order rejected: order type '" + r.OrderType + "' is not one of Market, Limit, StopMarket, StopLimit, MIT.");
            }
            // Dedup BEFORE submitting: a retry (after a timeout or a dropped connection) finds the order
            // NT8 already has under this name and returns it; nothing is placed twice.
            var existing = _gateway.FindOrderByName(r.Account, r.Name);
            if (existing != null)
            {
                _log("placeOrder: " + r.Name + " already exists on " + r.Account + " as order " + existing.OrderId + "; returning it, placing nothing.", false);
                return existing;
            }
            return NotNull(_gateway.SubmitOrder(r), "placeOrder");
        }

        private static void CheckPrice(double? price, string which)
        {
            if (price.HasValue && (double.IsNaN(price.Value) || double.IsInfinity(price.Value)))
                throw new GatewayException("invalid_order", "Order rejected: " + which + " price " + price.Value.ToString(CultureInfo.InvariantCulture) + " is not a number.");
        }

        public void Dispose()
        {
            Detach();
            _queue.CompleteAdding();
            if (Thread.CurrentThread != _worker) _worker.Join(TimeSpan.FromSeconds(2));
        }
    }
}
