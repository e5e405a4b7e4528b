// Everything the add-on asks of NinjaTrader, in one interface. The dispatcher (Gateway/Dispatcher.cs)
// talks only to this; NinjaTrader/NinjaTraderGateway.cs is the one real implementation over the NT8
// API, and the Mono harness has a fake one. Rules every implementation keeps:
// - Methods may be called from the dispatcher's worker thread; implementations marshal to whatever
//   thread NT8 needs and return when NT8 has accepted (submitted) the action, not when it filled.
// - A refusal throws GatewayException with a protocol error code (unknown_account,
//   unknown_instrument, invalid_order, unknown_order, order_not_changeable, market_closed) and a
//   sentence with the numbers. Any other exception is reported as `internal`.
// - Events may be raised on any thread; the dispatcher serialises them onto its own queue so
//   sequence numbers and snapshots stay consistent.
using System;
using System.Collections.Generic;

namespace NTMcpCompanion.Gateway
{
    public interface INinjaTraderGateway
    {
        /// <summary>NinjaTrader's version, e.g. "8.1.4.1" (hello.nt8Version).</summary>
        string Nt8Version { get; }

        /// <summary>True only when no NinjaTrader is behind this gateway (the Mono harness).</summary>
        bool Simulated { get; }

        // ---- state, for snapshots ----
        IList<AccountInfo> GetAccounts();
        IList<ConnectionInfo> GetConnections();
        /// <summary>Open positions only.</summary>
        IList<PositionInfo> GetPositions();
        /// <summary>Working orders and today's terminal ones.</summary>
        IList<OrderInfo> GetOrders();
        IList<ExecutionInfo> GetExecutions();
        /// <summary>The last quote of every instrument currently subscribed.</summary>
        IList<QuoteInfo> GetQuotes();

        // ---- orders ----
        /// <summary>The latest order with this Name on the account, or null.</summary>
        OrderInfo FindOrderByName(string account, string name);
        /// <summary>Re-checks the order (account exists and connected, instrument resolves, quantity &gt; 0,
        /// prices present for the type) and submits it; returns the order as NT8 has it after Submit.</summary>
        OrderInfo SubmitOrder(PlaceOrderRequest request);
        OrderInfo ChangeOrder(ChangeOrderRequest request);
        OrderInfo CancelOrder(string account, string orderId);
        /// <summary>instrument null = every instrument of the account. Returns the cancelled orders' ids.</summary>
        IList<string> CancelAllOrders(string account, string instrument);
        /// <summary>Closes positions and cancels working orders per account and instrument (NT8's documented
        /// Account.Flatten(ICollection&lt;Instrument&gt;)); instrument null = every instrument with a position or
        /// working order on the account. Returns the closing orders.</summary>
        IList<OrderInfo> Flatten(string account, string instrument);
        /// <summary>Closes the position and opens the opposite one of the same size.</summary>
        IList<OrderInfo> ReversePosition(string account, string instrument);

        // ---- market data ----
        /// <summary>NT8's full name for "ES", "ESZ26" or "ES 12-26", or null if it does not resolve.</summary>
        string ResolveInstrument(string name);
        /// <summary>Starts streaming quotes for the instrument (idempotent); returns its full name.</summary>
        string SubscribeQuotes(string instrument);
        void UnsubscribeQuotes(string instrument);
        /// <summary>Historical bars. NT8 answers asynchronously: call back exactly once, with the bars or
        /// with a GatewayException.</summary>
        void RequestBars(BarsRequestInfo request, Action<IList<BarInfo>, GatewayException> callback);

        // ---- events (any thread) ----
        event Action<AccountInfo> AccountChanged;
        /// <summary>An order changed; the string is the order's previous id when NT8 replaced it, else null.</summary>
        event Action<OrderInfo, string> OrderChanged;
        event Action<PositionInfo> PositionChanged;
        event Action<ExecutionInfo> ExecutionAdded;
        event Action<QuoteInfo> QuoteChanged;
        event Action<ConnectionInfo> ConnectionChanged;
    }
}
