// The Dispatcher: one serial queue gives events consecutive seqs, snapshots carry the seq of the
// last event before them, a request's events go out before its response, placeOrder never places
// twice for one name, and gateway refusals / crashes / bad params become the right error codes.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using NTMcpCompanion.Gateway;
using NTMcpCompanion.Protocol;

namespace NTMcpCompanion.Tests
{
    /// <summary>A gateway whose behaviour each test sets; counts calls; raises events on demand.</summary>
    public sealed class TestGateway : INinjaTraderGateway
    {
        public readonly List<OrderInfo> Orders = new List<OrderInfo>();
        public int Submits;
        public int Finds;
        public Func<PlaceOrderRequest, OrderInfo> OnSubmit;
        public Action<BarsRequestInfo, Action<IList<BarInfo>, GatewayException>> OnBars;
        public List<string> Flattened = new List<string>();
        public readonly object Lock = new object();

        public string Nt8Version { get { return "8.1.4.1"; } }
        public bool Simulated { get { return false; } }
        public IList<AccountInfo> GetAccounts() { return new List<AccountInfo> { Account("Sim101"), Account("Sim102") }; }
        public static AccountInfo Account(string name)
        {
            return new AccountInfo { Name = name, Connection = "Sim", ConnectionStatus = "Connected", Provider = "Simulator", Simulated = true, Currency = "USD", Items = new Dictionary<string, double> { { "cashValue", 1 } } };
        }
        public IList<ConnectionInfo> GetConnections() { return new List<ConnectionInfo>(); }
        public IList<PositionInfo> GetPositions() { return new List<PositionInfo>(); }
        public IList<OrderInfo> GetOrders() { lock (Lock) return Orders.ToList(); }
        public IList<ExecutionInfo> GetExecutions() { return new List<ExecutionInfo>(); }
        public IList<QuoteInfo> GetQuotes() { return new List<QuoteInfo>(); }

        public OrderInfo FindOrderByName(string account, string name)
        {
            lock (Lock) { Finds++; return Orders.LastOrDefault(o => o.Account == account && o.Name == name); }
        }

        public OrderInfo SubmitOrder(PlaceOrderRequest r)
        {
            lock (Lock) Submits++;
            if (OnSubmit != null) return OnSubmit(r);
            var o = new OrderInfo { OrderId = "o" + Submits, Name = r.Name, Account = r.Account, Instrument = "ES 12-26", Action = r.Action, OrderType = r.OrderType, TimeInForce = r.TimeInForce, Quantity = r.Quantity, State = "Submitted", Time = new DateTime(2026, 11, 2, 15, 0, 0, DateTimeKind.Utc) };
            lock (Lock) Orders.Add(o);
            RaiseOrder(o);
            return o;
        }

        public OrderInfo ChangeOrder(ChangeOrderRequest r) { throw new GatewayException("order_not_changeable", "Order " + r.OrderId + " is Filled and can no longer be changed."); }
        public OrderInfo CancelOrder(string account, string orderId) { throw new InvalidOperationException("NT8 blew up"); }
        public IList<string> CancelAllOrders(string account, string instrument) { return new List<string> { "o1", "o2" }; }
        public IList<OrderInfo> Flatten(string account, string instrument) { lock (Lock) Flattened.Add(account + "/" + (instrument ?? "*")); return new List<OrderInfo>(); }
        public IList<OrderInfo> ReversePosition(string account, string instrument) { throw new GatewayException("invalid_order", "There is no open ES 12-26 position on Sim101 to reverse."); }
        public string ResolveInstrument(string name) { return name == "ES" ? "ES 12-26" : null; }
        public string SubscribeQuotes(string instrument)
        {
            var full = ResolveInstrument(instrument);
            if (full == null) throw new GatewayException("unknown_instrument", "Unknown instrument '" + instrument + "'.");
            return full;
        }
        public void UnsubscribeQuotes(string instrument) { }
        public void RequestBars(BarsRequestInfo request, Action<IList<BarInfo>, GatewayException> callback) { OnBars(request, callback); }

        public event Action<AccountInfo> AccountChanged;
        public event Action<OrderInfo, string> OrderChanged;
        public event Action<PositionInfo> PositionChanged;
        public event Action<ExecutionInfo> ExecutionAdded;
        public event Action<QuoteInfo> QuoteChanged;
        public event Action<ConnectionInfo> ConnectionChanged;

        public void RaiseOrder(OrderInfo o) { var h = OrderChanged; if (h != null) h(o, null); }
        public void RaiseQuote(string instrument, double price)
        {
            var h = QuoteChanged;
            if (h != null) h(new QuoteInfo { Instrument = instrument, Bid = price, Ask = price, Last = price, Time = DateTime.UtcNow });
        }
        public void RaiseOthers()
        {
            var a = AccountChanged; if (a != null) a(Account("Sim101"));
            var p = PositionChanged; if (p != null) p(new PositionInfo { Account = "Sim101", Instrument = "ES 12-26", MarketPosition = "Flat" });
            var x = ExecutionAdded; if (x != null) x(new ExecutionInfo { ExecutionId = "x", Account = "Sim101", Instrument = "ES 12-26", Action = "Buy", Quantity = 1, Price = 1 });
            var c = ConnectionChanged; if (c != null) c(new ConnectionInfo { Name = "Sim", Status = "ConnectionLost" });
        }
        public bool HasSubscribers { get { return OrderChanged != null || QuoteChanged != null || AccountChanged != null; } }
    }

    public static class DispatcherTests
    {
        private sealed class Harness : IDisposable
        {
            public readonly TestGateway Gateway = new TestGateway();
            public readonly List<Message> Sent = new List<Message>();
            public readonly List<string> Logs = new List<string>();
            public readonly RequestDispatcher Dispatcher;

            public Harness()
            {
                Dispatcher = new RequestDispatcher(Gateway, m => { lock (Sent) Sent.Add(Message.Decode(m.Encode())); return true; }, (m, e) => { lock (Logs) Logs.Add(m); });
                Dispatcher.Attach();
            }

            public void Request(string id, string method, string paramsJson)
            {
                Dispatcher.HandleRequest(new RequestMessage { Id = id, Method = method, Params = Json.ParseObject(paramsJson) });
            }

            public ResponseMessage Response(string id)
            {
                Assert.True(Dispatcher.WaitIdle(TimeSpan.FromSeconds(5)), "dispatcher idle");
                Assert.True(Dispatcher.WaitIdle(TimeSpan.FromSeconds(5)), "dispatcher idle (responses queued behind)");
                lock (Sent) return Sent.OfType<ResponseMessage>().Single(r => r.Id == id);
            }

            public void Dispose() { Dispatcher.Dispose(); }
        }

        private const string Place = "{\"account\":\"Sim101\",\"instrument\":\"ES\",\"action\":\"Buy\",\"orderType\":\"Market\",\"quantity\":1,\"timeInForce\":\"Day\",\"name\":\"mcp:0123456789ab:abc\"}";

        public static void TestEventsFromManyThreadsGetConsecutiveSeqsAndSnapshotsFitBetween()
        {
            using (var h = new Harness())
            {
                const int threads = 6, perThread = 300;
                var start = new ManualResetEventSlim(false);
                var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
                {
                    start.Wait();
                    for (int i = 0; i < perThread; i++)
                    {
                        h.Gateway.RaiseQuote("T" + t, i);
                        if (i % 50 == 0) h.Request("s" + t + "-" + i, "snapshot", "{}");
                    }
                })).ToList();
                workers.ForEach(w => w.Start());
                start.Set();
                workers.ForEach(w => w.Join());
                Assert.True(h.Dispatcher.WaitIdle(TimeSpan.FromSeconds(10)), "idle");
                long last = 0;
                int snapshots = 0;
                var perSource = new Dictionary<string, double>();
                foreach (var m in h.Sent)
                {
                    var ev = m as EventMessage;
                    if (ev != null)
                    {
                        Assert.Equal(last + 1, ev.Seq, "events are numbered +1 in the order they are sent");
                        last = ev.Seq;
                        var q = (JsonObject)ev.Event["quote"];
                        var src = (string)q["instrument"];
                        double prev;
                        if (perSource.TryGetValue(src, out prev)) Assert.True((double)q["last"] > prev, "one thread's events keep their order");
                        perSource[src] = (double)q["last"];
                        continue;
                    }
                    var s = m as SnapshotMessage;
                    if (s != null)
                    {
                        snapshots++;
                        Assert.Equal(last, s.Seq, "a snapshot carries the seq of the last event sent before it");
                    }
                }
                Assert.Equal((long)(threads * perThread), last, "every event was sent");
                Assert.Equal(threads * perThread / 50, snapshots, "every snapshot was answered");
                Assert.Equal((long)(threads * perThread), h.Dispatcher.Seq);
            }
        }

        public static void TestEveryEventKindIsSent()
        {
            using (var h = new Harness())
            {
                h.Gateway.RaiseOthers();
                h.Dispatcher.WaitIdle(TimeSpan.FromSeconds(5));
                var kinds = h.Sent.OfType<EventMessage>().Select(e => e.Kind).ToList();
                Assert.Equal("account,position,execution,connection", string.Join(",", kinds));
                var conn = (JsonObject)h.Sent.OfType<EventMessage>().Last().Event["connection"];
                Assert.Equal("ConnectionLost", (string)conn["status"]);
            }
        }

        public static void TestARequestsEventsGoOutBeforeItsResponse()
        {
            using (var h = new Harness())
            {
                // The gateway raises one event on the calling thread and one from another thread before returning.
                h.Gateway.OnSubmit = r =>
                {
                    var o = new OrderInfo { OrderId = "o1", Name = r.Name, Account = r.Account, Instrument = "ES 12-26", Action = r.Action, OrderType = r.OrderType, TimeInForce = "Day", Quantity = 1, State = "Submitted" };
                    h.Gateway.RaiseOrder(o);
                    var t = new Thread(() => h.Gateway.RaiseOrder(new OrderInfo { OrderId = "o1", Name = r.Name, Account = r.Account, Instrument = "ES 12-26", Action = r.Action, OrderType = r.OrderType, TimeInForce = "Day", Quantity = 1, State = "Accepted" }));
                    t.Start();
                    t.Join();
                    return o;
                };
                h.Request("c1", "placeOrder", Place);
                h.Response("c1");
                var types = string.Join(",", h.Sent.Select(m => m.Type));
                Assert.Equal("event,event,response", types);
            }
        }

        public static void TestPlaceOrderWithANameNT8AlreadyHasPlacesNothing()
        {
            using (var h = new Harness())
            {
                h.Request("c1", "placeOrder", Place);
                var first = h.Response("c1");
                Assert.True(first.Ok, "first placeOrder ok");
                h.Request("c2", "placeOrder", Place); // the retry after a timeout
                var second = h.Response("c2");
                Assert.True(second.Ok, "the retry is answered ok");
                Assert.Equal(1, h.Gateway.Submits, "submitted once");
                Assert.Equal((string)((JsonObject)first.Result["order"])["orderId"], (string)((JsonObject)second.Result["order"])["orderId"], "the retry returns the same order");
                Assert.True(h.Logs.Any(l => l.Contains("already exists")), "the add-on log says so");
                // The same name on another account is a different order.
                h.Request("c3", "placeOrder", Place.Replace("Sim101", "Sim102"));
                Assert.True(h.Response("c3").Ok, "other account");
                Assert.Equal(2, h.Gateway.Submits, "placed on the other account");
            }
        }

        public static void TestConcurrentDuplicatePlaceOrdersStillPlaceOnce()
        {
            using (var h = new Harness())
            {
                var threads = Enumerable.Range(0, 8).Select(i => new Thread(() => h.Request("d" + i, "placeOrder", Place))).ToList();
                threads.ForEach(t => t.Start());
                threads.ForEach(t => t.Join());
                for (int i = 0; i < 8; i++) Assert.True(h.Response("d" + i).Ok, "answer " + i);
                Assert.Equal(1, h.Gateway.Submits, "eight identical requests at once: one order");
            }
        }

        private static ResponseMessage PlaceWith(Harness h, string id, string replaceFrom, string replaceTo)
        {
            h.Request(id, "placeOrder", Place.Replace(replaceFrom, replaceTo));
            return h.Response(id);
        }

        public static void TestGenericRechecksAnswerInvalidOrderWithAReason()
        {
            using (var h = new Harness())
            {
                var cases = new[]
                {
                    new[] { "\"quantity\":1", "\"quantity\":0", "quantity 0 is not a positive whole number" },
                    new[] { "\"quantity\":1", "\"quantity\":-2", "quantity -2" },
                    new[] { "\"quantity\":1", "\"quantity\":1.5", "quantity 1.5" },
                    new[] { "\"orderType\":\"Market\"", "\"orderType\":\"Limit\"", "Limit order needs limitPrice" },
                    new[] { "\"orderType\":\"Market\"", "\"orderType\":\"StopMarket\"", "needs stopPrice" },
                    new[] { "\"orderType\":\"Market\"", "\"orderType\":\"MIT\"", "MIT order needs stopPrice" },
                    new[] { "\"orderType\":\"Market\"", "\"orderType\":\"StopLimit\",\"stopPrice\":1", "needs both stopPrice and limitPrice" },
                    new[] { "\"orderType\":\"Market\"", "\"orderType\":\"Iceberg\"", "order type 'Iceberg'" },
                    new[] { "\"action\":\"Buy\"", "\"action\":\"Hold\"", "action 'Hold'" },
                    new[] { "\"timeInForce\":\"Day\"", "\"timeInForce\":\"Gtd\"", "needs gtdDate" },
                    new[] { "mcp:0123456789ab:abc", "mcp:0123456789ab:" + new string('x', 34), "is 51 characters; NinjaTrader allows at most 50" },
                };
                int i = 0;
                foreach (var c in cases)
                {
                    var r = PlaceWith(h, "v" + i++, c[0], c[1]);
                    Assert.True(!r.Ok, "refused: " + c[1]);
                    Assert.Equal("invalid_order", r.ErrorCode, c[1]);
                    Assert.Contains(c[2], r.ErrorMessage, c[1]);
                }
                Assert.Equal(0, h.Gateway.Submits, "nothing reached NT8");
                Assert.Equal(0, h.Gateway.Finds, "not even the dedup lookup");
                var fifty = PlaceWith(h, "ok50", "mcp:0123456789ab:abc", "mcp:0123456789ab:" + new string('x', 33));
                Assert.True(fifty.Ok, "a 50-character name is fine");
            }
        }

        public static void TestErrorsMapToProtocolCodes()
        {
            using (var h = new Harness())
            {
                h.Request("a", "changeOrder", "{\"account\":\"Sim101\",\"orderId\":\"o9\",\"limitPrice\":5}");
                var a = h.Response("a");
                Assert.Equal("order_not_changeable", a.ErrorCode);
                Assert.Equal("Order o9 is Filled and can no longer be changed.", a.ErrorMessage, "the gateway's sentence is passed on");
                h.Request("b", "cancelOrder", "{\"account\":\"Sim101\",\"orderId\":\"o9\"}");
                var b = h.Response("b");
                Assert.Equal("internal", b.ErrorCode, "any other exception");
                Assert.Contains("NT8 blew up", b.ErrorMessage);
                h.Request("c", "cancelOrder", "{\"account\":\"Sim101\"}");
                var c = h.Response("c");
                Assert.Equal("invalid_request", c.ErrorCode, "missing param");
                Assert.Contains("Invalid cancelOrder parameters: cancelOrder.orderId: expected a string, got nothing.", c.ErrorMessage);
                h.Request("d", "placeOrder", Place.Replace("\"quantity\":1", "\"quantity\":\"1\""));
                Assert.Equal("invalid_request", h.Response("d").ErrorCode, "quantity as a string");
                h.Request("e", "teleport", "{}");
                var e = h.Response("e");
                Assert.Equal("invalid_request", e.ErrorCode, "unknown method");
                Assert.Contains("'teleport'", e.ErrorMessage);
                h.Request("f", "reversePosition", "{\"account\":\"Sim101\",\"instrument\":\"ES\"}");
                Assert.Equal("invalid_order", h.Response("f").ErrorCode);
                h.Request("g", "subscribeQuotes", "{\"instruments\":[\"ZZ\"]}");
                Assert.Equal("unknown_instrument", h.Response("g").ErrorCode);
                h.Request("h", "subscribeQuotes", "{\"instruments\":[]}");
                Assert.Contains("1 to 50 instruments", h.Response("h").ErrorMessage);
            }
        }

        public static void TestOtherMethodsReturnTheirResults()
        {
            using (var h = new Harness())
            {
                h.Request("a", "cancelAllOrders", "{\"account\":\"Sim101\"}");
                Assert.Equal(2, ((List<object>)h.Response("a").Result["cancelled"]).Count);
                h.Request("b", "flattenEverything", "{}");
                Assert.True(h.Response("b").Ok, "flattenEverything ok");
                Assert.Equal("Sim101/*,Sim102/*", string.Join(",", h.Gateway.Flattened), "flattenEverything flattens each account (no account-wide NT8 call)");
                h.Request("c", "subscribeQuotes", "{\"instruments\":[\"ES\"]}");
                Assert.Equal("ES 12-26", (string)((List<object>)h.Response("c").Result["subscribed"])[0]);
                h.Request("d", "unsubscribeQuotes", "{\"instruments\":[\"ES\"]}");
                Assert.True(h.Response("d").Ok, "unsubscribe");
            }
        }

        public static void TestGetBarsAnswersFromTheCallbackOnce()
        {
            using (var h = new Harness())
            {
                Action<IList<BarInfo>, GatewayException> saved = null;
                var called = new ManualResetEventSlim(false);
                h.Gateway.OnBars = (req0, cb) => { saved = cb; called.Set(); };
                h.Request("b1", "getBars", "{\"instrument\":\"ES\",\"period\":\"minute\",\"count\":2}");
                Assert.True(called.Wait(5000), "gateway asked");
                h.Dispatcher.WaitIdle(TimeSpan.FromSeconds(5));
                Assert.Equal(0, h.Sent.OfType<ResponseMessage>().Count(), "no answer before NT8 calls back");
                var t = new Thread(() =>
                {
                    saved(new List<BarInfo> { new BarInfo { Time = new DateTime(2026, 11, 2, 15, 0, 0, DateTimeKind.Utc), Open = 1, High = 2, Low = 0.5, Close = 1.5, Volume = 10 } }, null);
                    saved(null, new GatewayException("internal", "called twice"));
                });
                t.Start(); t.Join();
                var r = h.Response("b1");
                Assert.True(r.Ok, "bars ok");
                var bar = (JsonObject)((List<object>)r.Result["bars"])[0];
                Assert.Equal("2026-11-02T15:00:00.000Z", (string)bar["time"]);
                Assert.Equal(1, h.Sent.OfType<ResponseMessage>().Count(), "a second callback is ignored");

                h.Gateway.OnBars = (req, cb) => cb(null, new GatewayException("unknown_instrument", "Unknown instrument 'ZB'."));
                h.Request("b2", "getBars", "{\"instrument\":\"ZB\",\"period\":\"day\",\"count\":2}");
                Assert.Equal("unknown_instrument", h.Response("b2").ErrorCode);
                h.Request("b3", "getBars", "{\"instrument\":\"ES\",\"period\":\"week\",\"count\":2}");
                Assert.Equal("invalid_request", h.Response("b3").ErrorCode);
            }
        }

        public static void TestDetachUnsubscribesEveryEvent()
        {
            var h = new Harness();
            Assert.True(h.Gateway.HasSubscribers, "attached");
            h.Dispose();
            Assert.True(!h.Gateway.HasSubscribers, "Dispose unsubscribes the gateway's events");
        }
    }
}
