// The add-on's own picture of NinjaTrader state: plain data, no NinjaTrader types, so the Protocol
// and Gateway layers compile and are tested under Mono without NT8. Field names and meanings follow
// docs/addon-protocol.md (protocol 1.1); enum-like fields are strings spelled exactly as NinjaScript
// spells them (an unknown value from a newer NT8 is passed through as its raw text: the companion
// shows it as Unknown with that text, it never drops the record).
// C# 7.2 / .NET Framework 4.8: what NinjaTrader 8's NinjaScript compiler accepts.
using System;
using System.Collections.Generic;

namespace NTMcpCompanion.Gateway
{
    public sealed class AccountInfo
    {
        public string Name;
        /// <summary>NT8 Account.DisplayName (prop-firm accounts show it instead of Name).</summary>
        public string DisplayName;
        /// <summary>Name of the NT8 connection the account belongs to (Connection.Options.Name).</summary>
        public string Connection;
        /// <summary>Order-routing status of that connection (NT8 ConnectionStatus: Connected, ConnectionLost, …).</summary>
        public string ConnectionStatus;
        /// <summary>Price-feed status of that connection (NT8 Connection.PriceStatus).</summary>
        public string PriceStatus;
        /// <summary>NT8 Account.Provider, e.g. "Simulator", "Rithmic", "Tradovate".</summary>
        public string Provider;
        public bool Simulated;
        /// <summary>ISO 4217 code of Account.Denomination (USD, EUR, …); the NT8 name if it has no ISO code.</summary>
        public string Currency;
        /// <summary>Protocol item name (cashValue, netLiquidation, …; docs/addon-protocol.md) → value.</summary>
        public Dictionary<string, double> Items = new Dictionary<string, double>();
    }

    public sealed class OrderInfo
    {
        public string OrderId;
        /// <summary>Order.Name: carries the companion's client order id (mcp:&lt;tag&gt;:&lt;id&gt;, ≤ 50 chars).</summary>
        public string Name;
        public string Account;
        public string Instrument;
        public string Action;       // Buy, BuyToCover, Sell, SellShort
        public string OrderType;    // Market, Limit, StopMarket, StopLimit, MIT
        public string TimeInForce;  // Day, Gtc, Gtd, Ioc, Opg
        public DateTime? GtdDate;   // UTC; set when TimeInForce is Gtd
        public int Quantity;
        public int Filled;
        public double AverageFillPrice;
        public double? LimitPrice;
        public double? StopPrice;
        public string OcoId;
        public string State;        // NT8 OrderState
        public string Error;
        public DateTime Time;       // UTC
    }

    public sealed class PositionInfo
    {
        public string Account;
        public string Instrument;
        public string MarketPosition; // Long, Short, Flat
        public int Quantity;
        public double AveragePrice;
        public double UnrealizedPnL;
    }

    public sealed class ExecutionInfo
    {
        public string ExecutionId;
        /// <summary>null when NT8 reports a fill with no order of ours (ATM children, manual fills).</summary>
        public string OrderId;
        public string OrderName;
        public string Account;
        public string Instrument;
        public string Action;
        /// <summary>NT8 Execution.MarketPosition: Long for a buy fill, Short for a sell fill.</summary>
        public string MarketPosition;
        public int Quantity;
        public double Price;
        public DateTime Time;       // UTC
        public double Commission;
        public bool IsEntry;
        public bool IsExit;
    }

    public sealed class QuoteInfo
    {
        public string Instrument;
        public double Bid;
        public double Ask;
        public double Last;
        public double Volume;
        public double? BidSize;
        public double? AskSize;
        public double? DailyHigh;
        public double? DailyLow;
        public double? DailyVolume;
        public double? Settlement;
        public DateTime Time;       // UTC
    }

    public sealed class BarInfo
    {
        public DateTime Time;       // UTC, the bar's close time as NT8 stamps it
        public double Open;
        public double High;
        public double Low;
        public double Close;
        public double Volume;
    }

    public sealed class ConnectionInfo
    {
        public string Name;
        public string Status;       // NT8 ConnectionStatus of order routing
        public string PriceStatus;  // NT8 ConnectionStatus of the price feed
    }

    public sealed class PlaceOrderRequest
    {
        public string Account;
        public string Instrument;   // "ES 12-26", "ES" or "ESZ26"; the gateway resolves it
        public string Action;
        public string OrderType;
        public int Quantity;
        public double? LimitPrice;
        public double? StopPrice;
        public string TimeInForce;
        public DateTime? GtdDate;
        public string OcoId;
        public string Name;
    }

    public sealed class ChangeOrderRequest
    {
        public string Account;
        public string OrderId;
        public int? Quantity;
        public double? LimitPrice;
        public double? StopPrice;
    }

    public sealed class BarsRequestInfo
    {
        public string Instrument;
        public string Period;       // tick, second, minute, range, day
        public int Value = 1;       // e.g. 5 for 5-minute bars, ticks for range bars
        public int? Count;          // bars back from now (1..5000); or From/To
        public DateTime? From;
        public DateTime? To;
        /// <summary>NT8 trading-hours template name; null = the instrument's default.</summary>
        public string TradingHours;
    }

    /// <summary>What the dispatcher answers with: a protocol error code (docs/addon-protocol.md) and a
    /// complete sentence for the person and the AI client.</summary>
    public sealed class GatewayException : Exception
    {
        public readonly string Code;
        public GatewayException(string code, string message) : base(message) { Code = code; }
    }
}
