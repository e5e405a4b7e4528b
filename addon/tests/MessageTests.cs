// Every protocol 1.1 message decodes from the text the companion (or the add-on) sends, unknown
// members are ignored, unknown enum text passes through, and what the add-on encodes is what the
// companion's schemas expect.
using System;
using System.Collections.Generic;
using System.IO;
using NTMcpCompanion.Gateway;
using NTMcpCompanion.Protocol;

namespace NTMcpCompanion.Tests
{
    public static class MessageTests
    {
        private static T Decode<T>(string text) where T : Message
        {
            var m = Message.Decode(text);
            var t = m as T;
            Assert.True(t != null, "decoded " + text + " as " + typeof(T).Name + ", got " + m.GetType().Name);
            return t;
        }

        public static void TestWelcomeFrom11And10Companions()
        {
            var w = Decode<WelcomeMessage>("{\"v\":1,\"type\":\"welcome\",\"protocolVersion\":1,\"protocolMinor\":1}");
            Assert.Equal(1, w.ProtocolMinor);
            var old = Decode<WelcomeMessage>("{\"v\":1,\"type\":\"welcome\",\"protocolVersion\":1}");
            Assert.Equal(0, old.ProtocolMinor, "a 1.0 companion sends no minor: 0");
        }

        public static void TestRefusedAndWhichRefusalsArePermanent()
        {
            foreach (var reason in new[] { "unsupported_version", "invalid_hello", "hello_expected" })
                Assert.True(Decode<RefusedMessage>("{\"v\":1,\"type\":\"refused\",\"reason\":\"" + reason + "\",\"message\":\"m\"}").IsPermanent, reason + " is permanent");
            foreach (var reason in new[] { "already_connected", "hello_timeout", "shutting_down", "some_future_reason" })
                Assert.True(!Decode<RefusedMessage>("{\"v\":1,\"type\":\"refused\",\"reason\":\"" + reason + "\",\"message\":\"m\"}").IsPermanent, reason + " is retried");
            var r = Decode<RefusedMessage>("{\"v\":1,\"type\":\"refused\",\"reason\":\"already_connected\",\"message\":\"Another add-on is connected.\"}");
            Assert.Equal("Another add-on is connected.", r.Text);
        }

        public static void TestPingPongHeartbeat()
        {
            Decode<PingMessage>("{\"v\":1,\"type\":\"ping\"}");
            Decode<PongMessage>(new PongMessage().Encode());
            Decode<HeartbeatMessage>(new HeartbeatMessage().Encode());
            Assert.Equal("{\"v\":1,\"type\":\"pong\"}", new PongMessage().Encode());
        }

        public static void TestRequestOfEveryMethodDecodes()
        {
            var methods = new Dictionary<string, string>
            {
                { "placeOrder", "{\"account\":\"Sim101\",\"instrument\":\"ES\",\"action\":\"Buy\",\"orderType\":\"MIT\",\"quantity\":1,\"stopPrice\":5990,\"timeInForce\":\"Gtd\",\"gtdDate\":\"2026-12-01T21:00:00.000Z\",\"name\":\"mcp:0123456789ab:c-1\"}" },
                { "changeOrder", "{\"account\":\"Sim101\",\"orderId\":\"o1\",\"quantity\":2}" },
                { "cancelOrder", "{\"account\":\"Sim101\",\"orderId\":\"o1\"}" },
                { "cancelAllOrders", "{\"account\":\"Sim101\"}" },
                { "flatten", "{\"account\":\"Sim101\",\"instrument\":\"ES\"}" },
                { "flattenEverything", "{}" },
                { "reversePosition", "{\"account\":\"Sim101\",\"instrument\":\"ES\"}" },
                { "getBars", "{\"instrument\":\"ES\",\"period\":\"range\",\"value\":4,\"from\":\"2026-11-02T14:00:00Z\",\"to\":\"2026-11-02T15:00:00Z\",\"tradingHours\":\"CME US Index Futures ETH\"}" },
                { "subscribeQuotes", "{\"instruments\":[\"ES\",\"NQ\"]}" },
                { "unsubscribeQuotes", "{\"instruments\":[\"NQ\"]}" },
                { "snapshot", "{}" },
            };
            foreach (var kv in methods)
            {
                var r = Decode<RequestMessage>("{\"v\":1,\"type\":\"request\",\"id\":\"c9\",\"method\":\"" + kv.Key + "\",\"params\":" + kv.Value + "}");
                Assert.Equal("c9", r.Id);
                Assert.Equal(kv.Key, r.Method);
            }
            var p = Wire.PlaceOrder(Decode<RequestMessage>("{\"v\":1,\"type\":\"request\",\"id\":\"c1\",\"method\":\"placeOrder\",\"params\":" + methods["placeOrder"] + "}").Params);
            Assert.Equal("MIT", p.OrderType);
            Assert.Equal("Gtd", p.TimeInForce);
            Assert.Equal(new DateTime(2026, 12, 1, 21, 0, 0, DateTimeKind.Utc), p.GtdDate.Value);
            Assert.Equal(5990.0, p.StopPrice.Value);
            Assert.True(!p.LimitPrice.HasValue, "no limit price");
            var b = Wire.GetBars(new Fields(Json.ParseObject(methods["getBars"]), "x").Raw);
            Assert.Equal("range", b.Period);
            Assert.Equal(4, b.Value);
            Assert.Equal("CME US Index Futures ETH", b.TradingHours);
            Assert.Equal(new DateTime(2026, 11, 2, 14, 0, 0, DateTimeKind.Utc), b.From.Value);
        }

        public static void TestGetBarsParamsAreChecked()
        {
            Func<string, string> err = json => Assert.Throws<ProtocolException>(() => Wire.GetBars(Json.ParseObject(json)), json).Message;
            Assert.Contains("exactly one of count or from", err("{\"instrument\":\"ES\",\"period\":\"minute\"}"));
            Assert.Contains("exactly one of count or from", err("{\"instrument\":\"ES\",\"period\":\"minute\",\"count\":5,\"from\":\"2026-11-02T14:00:00Z\"}"));
            Assert.Contains("1..5000", err("{\"instrument\":\"ES\",\"period\":\"minute\",\"count\":5001}"));
            Assert.Contains("tick, second, minute, range or day", err("{\"instrument\":\"ES\",\"period\":\"week\",\"count\":5}"));
            Assert.Contains("1..1440", err("{\"instrument\":\"ES\",\"period\":\"minute\",\"value\":0,\"count\":5}"));
            Assert.Contains("ISO-8601", err("{\"instrument\":\"ES\",\"period\":\"minute\",\"from\":\"yesterday\"}"));
            Assert.Equal(1, Wire.GetBars(Json.ParseObject("{\"instrument\":\"ES\",\"period\":\"day\",\"count\":5}")).Value, "value defaults to 1");
        }

        public static void TestUnknownMembersAreIgnored()
        {
            var r = Decode<RequestMessage>("{\"v\":1,\"type\":\"request\",\"id\":\"c2\",\"method\":\"cancelOrder\",\"future\":{\"x\":[1]},\"params\":{\"account\":\"Sim101\",\"orderId\":\"o1\",\"reason\":\"later field\"}}");
            Assert.Equal("cancelOrder", r.Method);
            Decode<PingMessage>("{\"v\":1,\"type\":\"ping\",\"at\":\"2026-11-02T15:00:00Z\"}");
            var w = Decode<WelcomeMessage>("{\"v\":1,\"type\":\"welcome\",\"protocolVersion\":1,\"protocolMinor\":3,\"features\":[\"x\"]}");
            Assert.Equal(3, w.ProtocolMinor);
        }

        public static void TestUnknownTypeIsNotAnError()
        {
            var m = Message.Decode("{\"v\":1,\"type\":\"newThing\",\"x\":1}");
            Assert.True(m is UnknownMessage, "unknown message type decodes as UnknownMessage");
            Assert.Equal("newThing", m.Type);
        }

        public static void TestBadEnvelopesAreRefusedWithASentence()
        {
            Assert.Contains("unsupported_version", Assert.Throws<ProtocolException>(() => Message.Decode("{\"v\":2,\"type\":\"ping\"}"), "v 2").Code);
            Assert.Contains("message.v: expected a number", Assert.Throws<ProtocolException>(() => Message.Decode("{\"type\":\"ping\"}"), "no v").Message);
            Assert.Contains("message.type: expected a string, got a number", Assert.Throws<ProtocolException>(() => Message.Decode("{\"v\":1,\"type\":5}"), "type 5").Message);
            Assert.Contains("message.id", Assert.Throws<ProtocolException>(() => Message.Decode("{\"v\":1,\"type\":\"request\",\"method\":\"snapshot\"}"), "request without id").Message);
            Assert.Throws<JsonException>(() => Message.Decode("{\"v\":1,\"type\":\"ping\""), "truncated frame");
            Assert.Throws<JsonException>(() => Message.Decode("[1]"), "array frame");
            Assert.Throws<JsonException>(() => Message.Decode("{\"v\":1,\"type\":\"ping\",\"pad\":\"" + new string('x', 200) + "\"}", 100), "oversized frame");
        }

        public static void TestABracketOrAtmOrderIsRefusedNotPlacedWithoutItsStop()
        {
            foreach (var extra in new[] { "\"stopLoss\":{\"ticks\":8}", "\"takeProfit\":{\"price\":6010}", "\"atmTemplate\":\"1 Target + Stop\"" })
            {
                var json = "{\"account\":\"Sim101\",\"instrument\":\"ES\",\"action\":\"Buy\",\"orderType\":\"Market\",\"quantity\":1,\"timeInForce\":\"Day\",\"name\":\"mcp:0123456789ab:x\"," + extra + "}";
                var e = Assert.Throws<GatewayException>(() => Wire.PlaceOrder(Json.ParseObject(json)), extra);
                Assert.Equal("invalid_order", e.Code);
                Assert.True(e.Message.Contains("not placed at all rather than placed without its stop"), e.Message);
            }
            Assert.True(Array.IndexOf(AddonHost.Capabilities, "brackets") < 0 && Array.IndexOf(AddonHost.Capabilities, "atm") < 0, "not advertised");
        }

        public static void TestHelloCarriesMinorAndCapabilities()
        {
            var hello = new HelloMessage { AddonVersion = "1.1.0", Nt8Version = "8.1.4.1", Simulated = false, Capabilities = new List<string>(AddonHost.Capabilities) };
            var text = hello.Encode();
            Assert.Equal("{\"v\":1,\"type\":\"hello\",\"addonVersion\":\"1.1.0\",\"nt8Version\":\"8.1.4.1\",\"simulated\":false,\"capabilities\":[\"orders\",\"quotes\",\"bars\",\"oco\",\"subscribe\",\"gtd\",\"mit\"],\"protocolMinor\":1}", text);
            var back = Decode<HelloMessage>(text);
            Assert.Equal(1, back.ProtocolMinor);
            Assert.Equal(7, back.Capabilities.Count);
        }

        public static void TestResponsesEncodeAndDecode()
        {
            var ok = Decode<ResponseMessage>(ResponseMessage.Success("c5", new JsonObject().Set("cancelled", new List<string> { "a" })).Encode());
            Assert.True(ok.Ok, "ok");
            Assert.Equal(1, ((List<object>)ok.Result["cancelled"]).Count);
            var bad = ResponseMessage.Failure("c6", "invalid_order", "Order rejected: stop price 4990.00 is below the market.");
            Assert.Equal("{\"v\":1,\"type\":\"response\",\"id\":\"c6\",\"ok\":false,\"error\":{\"code\":\"invalid_order\",\"message\":\"Order rejected: stop price 4990.00 is below the market.\"}}", bad.Encode());
            var back = Decode<ResponseMessage>(bad.Encode());
            Assert.Equal("invalid_order", back.ErrorCode);
            Assert.True(ResponseMessage.Failure("c7", "internal", new string('x', 5000)).ErrorMessage.Length <= 2000, "messages are capped at the companion's 2000");
        }

        public static void TestEventAndSnapshotRoundTrip()
        {
            var order = new OrderInfo
            {
                OrderId = "o1", Name = "mcp:0123456789ab:c-1", Account = "Sim101", Instrument = "ES 12-26", Action = "Buy", OrderType = "Limit",
                TimeInForce = "Day", Quantity = 1, LimitPrice = 5990, State = "PendingSomething", Time = new DateTime(2026, 11, 2, 15, 0, 0, DateTimeKind.Utc),
            };
            var ev = EventMessage.Of(18, "order", "order", Wire.Order(order));
            ev.Event.Set("previousOrderId", "o0");
            var e = Decode<EventMessage>(ev.Encode());
            Assert.Equal(18L, e.Seq);
            Assert.Equal("order", e.Kind);
            var o = (JsonObject)e.Event["order"];
            Assert.Equal("PendingSomething", (string)o["state"], "unknown enum text passes through untouched");
            Assert.True(o.Has("stopPrice") && o["stopPrice"] == null, "stopPrice is an explicit null");
            Assert.True(o.Has("gtdDate") && o["gtdDate"] == null, "gtdDate is an explicit null");
            Assert.Equal("2026-11-02T15:00:00.000Z", (string)o["time"]);
            Assert.Equal("o0", (string)e.Event["previousOrderId"]);

            var snap = new SnapshotMessage { Id = "c1", Seq = 17 };
            snap.Orders.Add(Wire.Order(order));
            snap.Accounts.Add(Wire.Account(new AccountInfo { Name = "Sim101", Currency = "EUR", Connection = "Sim", ConnectionStatus = "Connected", Provider = "Simulator", Simulated = true }));
            snap.Executions.Add(Wire.Execution(new ExecutionInfo { ExecutionId = "x1", Account = "Sim101", Instrument = "ES 12-26", Action = "Sell", Quantity = 1, Price = 6000, Time = order.Time }));
            var s = Decode<SnapshotMessage>(snap.Encode());
            Assert.Equal("c1", s.Id);
            Assert.Equal(17L, s.Seq);
            Assert.Equal("EUR", (string)s.Accounts[0]["currency"]);
            Assert.Equal("Sim101", (string)s.Accounts[0]["displayName"], "displayName defaults to the name");
            Assert.True(s.Executions[0].Has("orderId") && s.Executions[0]["orderId"] == null, "an execution without an order has orderId null");
            Assert.Equal(0, s.Connections.Count);
        }

        public static void TestQuoteOmitsUnknownExtrasAndKeepsKnownOnes()
        {
            var q = Wire.Quote(new QuoteInfo { Instrument = "ES 12-26", Bid = 1, Ask = 2, Last = 2, Volume = 3, BidSize = 7, Settlement = null, Time = DateTime.UtcNow });
            Assert.Equal(7.0, (double)q["bidSize"]);
            Assert.True(!q.Has("settlement") && !q.Has("askSize"), "absent extras are omitted");
        }

        public static void TestPairingFileIsReadAndChecked()
        {
            var dir = Path.Combine(Path.GetTempPath(), "ntmcp-pairing-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                var path = Path.Combine(dir, "pairing.json");
                string error;
                Assert.True(PairingFile.TryRead(path, out error) == null, "missing file");
                Assert.Contains("Waiting for the pairing file at " + path, error);
                var secret = "k3Jsecretsecretsecretsecretsecretsecret4321";
                File.WriteAllText(path, "{\"url\":\"ws://127.0.0.1:47411/addon\",\"secret\":\"" + secret + "\",\"protocolVersion\":1,\"protocolMinor\":1,\"extra\":true}");
                var p = PairingFile.TryRead(path, out error);
                Assert.True(p != null, "valid file: " + error);
                Assert.Equal("ws://127.0.0.1:47411/addon", p.Url);
                Assert.Equal(secret, p.Secret);
                Assert.Equal(1, p.ProtocolMinor);
                var sig = p.Signature;
                Assert.True(!sig.Contains(secret), "the signature is not the secret");
                File.WriteAllText(path, "{\"url\":\"ws://127.0.0.1:47411/addon\",\"secret\":\"" + secret + "X\",\"protocolVersion\":1}");
                Assert.True(PairingFile.TryRead(path, out error).Signature != sig, "a new secret changes the signature");
                File.WriteAllText(path, "{\"url\":\"ws://127.0.0.1:47411/addon\",\"secret\":\"" + secret + "\",\"protocolVersion\":2}");
                Assert.True(PairingFile.TryRead(path, out error) == null, "major 2");
                Assert.Contains("speaks add-on protocol 2.x; this add-on speaks 1.x", error);
                File.WriteAllText(path, "{\"url\":\"http://x\",\"secret\":\"" + secret + "\"}");
                Assert.True(PairingFile.TryRead(path, out error) == null, "http url");
                Assert.Contains("no usable url", error);
                File.WriteAllText(path, "{\"url\":\"ws://127.0.0.1:1/addon\",\"secret\":\"" + secret);
                Assert.True(PairingFile.TryRead(path, out error) == null, "half-written file");
                Assert.Contains("not valid yet", error);
                Assert.True(!error.Contains(secret), "the error never contains the secret: " + error);
            }
            finally { Directory.Delete(dir, true); }
        }

        public static void TestBackoffDoublesFromAQuarterSecondToTenSeconds()
        {
            var b = Backoff.Default();
            var expected = new[] { 250, 500, 1000, 2000, 4000, 8000, 10000, 10000, 10000 };
            for (int i = 0; i < expected.Length; i++) Assert.Equal((double)expected[i], b.Nominal(i).TotalMilliseconds, "nominal " + i);
            Assert.Equal(10000.0, b.Nominal(1000).TotalMilliseconds, "no overflow far out");
        }

        public static void TestBackoffJitterStaysWithinTwentyPercentAndSpreads()
        {
            var b = new Backoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10), 0.2, new Random(1));
            var seen = new HashSet<long>();
            for (int round = 0; round < 200; round++)
            {
                b.Reset();
                for (int i = 0; i < 10; i++)
                {
                    var nominal = b.Nominal(i).TotalMilliseconds;
                    var d = b.Next().TotalMilliseconds;
                    Assert.True(d >= nominal * 0.8 - 1e-9 && d <= nominal * 1.2 + 1e-9, "attempt " + i + ": " + d + " within ±20 % of " + nominal);
                    Assert.True(d <= 12000 && d >= 200, "absolute bounds: " + d);
                    if (i == 0) seen.Add((long)d);
                }
            }
            Assert.True(seen.Count > 50, "first delays spread out (jitter), distinct values: " + seen.Count);
            b.Reset();
            Assert.True(b.Next().TotalMilliseconds <= 300, "reset starts again at 0.25 s");
            Assert.Equal(1, b.Attempt);
        }
    }
}
