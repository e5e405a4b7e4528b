// The Gateway model (Model.cs) on the wire (docs/addon-protocol.md, protocol 1.1): entities to JSON
// objects for snapshots, events and results, and request params to the model's request types.
// Nullable protocol fields (limitPrice, stopPrice, ocoId, error, gtdDate, an execution's orderId) are
// written as null; optional 1.1 extras (displayName, priceStatus, quote sizes, …) only when known.
// C# 7.2 / .NET Framework 4.8.
using System;
using System.Collections.Generic;
using NTMcpCompanion.Protocol;

namespace NTMcpCompanion.Gateway
{
    public static class Wire
    {
        private static object Time(DateTime t) { return Json.IsoTime(t); }
        private static object Time(DateTime? t) { return t.HasValue ? Json.IsoTime(t.Value) : null; }
        private static object Num(double? d) { return d.HasValue ? (object)d.Value : null; }

        public static JsonObject Account(AccountInfo a)
        {
            var items = new JsonObject();
            if (a.Items != null) foreach (var kv in a.Items) items.Set(kv.Key, kv.Value);
            return new JsonObject()
                .Set("name", a.Name)
                .Set("displayName", string.IsNullOrEmpty(a.DisplayName) ? a.Name : a.DisplayName)
                .Set("connection", a.Connection ?? "")
                .Set("connectionStatus", a.ConnectionStatus ?? "Unknown")
                .SetIfNotNull("priceStatus", a.PriceStatus)
                .Set("provider", a.Provider ?? "")
                .Set("simulated", a.Simulated)
                .Set("currency", a.Currency ?? "USD")
                .Set("items", items);
        }

        public static JsonObject Order(OrderInfo o)
        {
            return new JsonObject()
                .Set("orderId", o.OrderId)
                .Set("name", o.Name ?? "")
                .Set("account", o.Account)
                .Set("instrument", o.Instrument)
                .Set("action", o.Action)
                .Set("orderType", o.OrderType)
                .Set("timeInForce", o.TimeInForce)
                .Set("gtdDate", Time(o.GtdDate))
                .Set("quantity", o.Quantity)
                .Set("filled", o.Filled)
                .Set("averageFillPrice", o.AverageFillPrice)
                .Set("limitPrice", Num(o.LimitPrice))
                .Set("stopPrice", Num(o.StopPrice))
                .Set("ocoId", string.IsNullOrEmpty(o.OcoId) ? null : o.OcoId)
                .Set("state", o.State)
                .Set("error", string.IsNullOrEmpty(o.Error) ? null : o.Error)
                .Set("time", Time(o.Time));
        }

        public static JsonObject Position(PositionInfo p)
        {
            return new JsonObject()
                .Set("account", p.Account)
                .Set("instrument", p.Instrument)
                .Set("marketPosition", p.MarketPosition)
                .Set("quantity", p.Quantity)
                .Set("averagePrice", p.AveragePrice)
                .Set("unrealizedPnL", p.UnrealizedPnL);
        }

        public static JsonObject Execution(ExecutionInfo e)
        {
            return new JsonObject()
                .Set("executionId", e.ExecutionId)
                .Set("orderId", string.IsNullOrEmpty(e.OrderId) ? null : e.OrderId)
                .Set("orderName", e.OrderName)
                .Set("account", e.Account)
                .Set("instrument", e.Instrument)
                .Set("action", e.Action)
                .SetIfNotNull("marketPosition", e.MarketPosition)
                .Set("quantity", e.Quantity)
                .Set("price", e.Price)
                .Set("time", Time(e.Time))
                .Set("commission", e.Commission)
                .Set("isEntry", e.IsEntry)
                .Set("isExit", e.IsExit);
        }

        public static JsonObject Quote(QuoteInfo q)
        {
            return new JsonObject()
                .Set("instrument", q.Instrument)
                .Set("bid", q.Bid)
                .Set("ask", q.Ask)
                .Set("last", q.Last)
                .Set("volume", q.Volume)
                .SetIfNotNull("bidSize", Num(q.BidSize))
                .SetIfNotNull("askSize", Num(q.AskSize))
                .SetIfNotNull("dailyHigh", Num(q.DailyHigh))
                .SetIfNotNull("dailyLow", Num(q.DailyLow))
                .SetIfNotNull("dailyVolume", Num(q.DailyVolume))
                .SetIfNotNull("settlement", Num(q.Settlement))
                .Set("time", Time(q.Time));
        }

        public static JsonObject Bar(BarInfo b)
        {
            return new JsonObject()
                .Set("time", Time(b.Time)).Set("open", b.Open).Set("high", b.High)
                .Set("low", b.Low).Set("close", b.Close).Set("volume", b.Volume);
        }

        public static JsonObject Connection(ConnectionInfo c)
        {
            return new JsonObject().Set("connection", c.Name ?? "").Set("status", c.Status ?? "Unknown").SetIfNotNull("priceStatus", c.PriceStatus);
        }

        public static List<JsonObject> All<T>(IEnumerable<T> items, Func<T, JsonObject> map)
        {
            var list = new List<JsonObject>();
            if (items != null) foreach (var i in items) if (i != null) list.Add(map(i));
            return list;
        }

        // ---- params → model ----

        public static PlaceOrderRequest PlaceOrder(JsonObject p)
        {
            var f = new Fields(p, "placeOrder");
            // Brackets and ATM templates (capabilities "brackets", "atm") are not implemented here and
            // not advertised, so a companion never sends them; if one does, refuse the whole order
            // rather than place the entry without the stop the trader asked for.
            foreach (var key in new[] { "stopLoss", "takeProfit", "atmTemplate" })
            {
                if (p.Has(key))
                    throw new GatewayException("invalid_order", "Order rejected: this add-on does not manage brackets or ATM strategies (it advertises neither \"brackets\" nor \"atm\"), so an order with " + key + " is not placed at all rather than placed without its stop. Update the add-on.");
            }
            var q = f.Number("quantity");
            if (q != Math.Floor(q) || q <= 0 || q > 1000000)
                throw new GatewayException("invalid_order", "Order rejected: quantity " + q.ToString(System.Globalization.CultureInfo.InvariantCulture) + " is not a positive whole number of contracts (1 to 1000000).");
            return new PlaceOrderRequest
            {
                Account = f.String("account"),
                Instrument = f.String("instrument"),
                Action = f.String("action"),
                OrderType = f.String("orderType"),
                Quantity = (int)q,
                LimitPrice = f.OptNumber("limitPrice"),
                StopPrice = f.OptNumber("stopPrice"),
                TimeInForce = f.OptString("timeInForce") ?? "Day",
                GtdDate = f.OptTime("gtdDate"),
                OcoId = f.OptString("ocoId"),
                Name = f.String("name"),
            };
        }

        public static ChangeOrderRequest ChangeOrder(JsonObject p)
        {
            var f = new Fields(p, "changeOrder");
            var q = f.OptNumber("quantity");
            int? quantity = null;
            if (q.HasValue)
            {
                if (q.Value != Math.Floor(q.Value) || q.Value <= 0 || q.Value > 1000000)
                    throw new GatewayException("invalid_order", "Order change rejected: quantity " + q.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) + " is not a positive whole number of contracts.");
                quantity = (int)q.Value;
            }
            return new ChangeOrderRequest
            {
                Account = f.String("account"),
                OrderId = f.String("orderId"),
                Quantity = quantity,
                LimitPrice = f.OptNumber("limitPrice"),
                StopPrice = f.OptNumber("stopPrice"),
            };
        }

        public static BarsRequestInfo GetBars(JsonObject p)
        {
            var f = new Fields(p, "getBars");
            var r = new BarsRequestInfo
            {
                Instrument = f.String("instrument"),
                Period = f.String("period"),
                Value = (int)f.OptInt("value", 1),
                From = f.OptTime("from"),
                To = f.OptTime("to"),
                TradingHours = f.OptString("tradingHours"),
            };
            if (f.Present("count")) r.Count = (int)f.Long("count");
            switch (r.Period)
            {
                case "tick": case "second": case "minute": case "range": case "day": break;
                default: throw new ProtocolException("invalid_request", "getBars.period: expected tick, second, minute, range or day, got \"" + r.Period + "\".");
            }
            if (r.Value < 1 || r.Value > 1440) throw new ProtocolException("invalid_request", "getBars.value: expected 1..1440, got " + r.Value + ".");
            if (r.Count.HasValue == r.From.HasValue) throw new ProtocolException("invalid_request", "getBars: give exactly one of count or from.");
            if (r.Count.HasValue && (r.Count.Value < 1 || r.Count.Value > 5000)) throw new ProtocolException("invalid_request", "getBars.count: expected 1..5000, got " + r.Count.Value + ".");
            if (r.To.HasValue && !r.From.HasValue) throw new ProtocolException("invalid_request", "getBars: to needs from.");
            return r;
        }
    }
}
