// COMPILE-ONLY STUB of the NinjaTrader 8 API surface addon/NinjaTrader/ uses. Never shipped, never run:
// every body throws. Namespaces, type names, member names and parameter lists follow NinjaTrader's
// published NinjaScript reference (help guide, "Add On" and "Common" sections); the source of each
// member is noted. Rules: classes carry only the members the add-on uses; enums list the values the
// help guide documents. Where the reference does not show a member's exact declaration (the collection
// type behind Account.All, the delegate type of an event, the type name behind Connection.Options) the
// stub picks a declaration that accepts exactly the usage the help guide shows (foreach, lock, +=/-= of
// an (object, XEventArgs) method) — see "Unconfirmed" notes.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Windows.Threading;
using NinjaTrader.Data;

namespace NinjaTrader.Cbi
{
    // ---- Account ("Account Class" and its member pages)
    public class Account
    {
        /// <summary>"All": a collection of Account objects; the examples lock it. Unconfirmed: the exact
        /// collection type (real code indexes it and reads Count, so a Collection&lt;Account&gt; fits).</summary>
        public static Collection<Account> All { get { throw new NotImplementedException(); } }
        /// <summary>"AccountStatusUpdate": static, all accounts. Unconfirmed: delegate type (handler is (object, AccountStatusEventArgs)).</summary>
        public static event EventHandler<AccountStatusEventArgs> AccountStatusUpdate { add { throw new NotImplementedException(); } remove { throw new NotImplementedException(); } }

        public string Name { get { throw new NotImplementedException(); } }                 // "Name"
        public Connection Connection { get { throw new NotImplementedException(); } }       // "Connection"
        public Currency Denomination { get { throw new NotImplementedException(); } }       // "Denomination"
        /// <summary>Not on the Account Class page; used by NT8 add-ons as account.Provider == Provider.Simulator.</summary>
        public Provider Provider { get { throw new NotImplementedException(); } }
        public Collection<Order> Orders { get { throw new NotImplementedException(); } }         // "Orders"
        public Collection<Position> Positions { get { throw new NotImplementedException(); } }   // "Positions"
        public Collection<Execution> Executions { get { throw new NotImplementedException(); } } // "Executions"

        public event EventHandler<AccountItemEventArgs> AccountItemUpdate { add { throw new NotImplementedException(); } remove { throw new NotImplementedException(); } }
        public event EventHandler<OrderEventArgs> OrderUpdate { add { throw new NotImplementedException(); } remove { throw new NotImplementedException(); } }
        public event EventHandler<ExecutionEventArgs> ExecutionUpdate { add { throw new NotImplementedException(); } remove { throw new NotImplementedException(); } }
        public event EventHandler<PositionEventArgs> PositionUpdate { add { throw new NotImplementedException(); } remove { throw new NotImplementedException(); } }

        /// <summary>"Get()": Get(AccountItem itemType, Cbi.Currency currency).</summary>
        public double Get(AccountItem itemType, Currency currency) { throw new NotImplementedException(); }

        /// <summary>"CreateOrder()": (Instrument, OrderAction, OrderType, OrderEntry, TimeInForce, int quantity,
        /// double limitPrice, double stopPrice, string oco, string name, DateTime gtd, CustomOrder customOrder).</summary>
        public Order CreateOrder(Instrument instrument, OrderAction action, OrderType orderType, OrderEntry orderEntry,
            TimeInForce timeInForce, int quantity, double limitPrice, double stopPrice, string oco, string name,
            DateTime gtd, CustomOrder customOrder) { throw new NotImplementedException(); }

        public void Submit(IEnumerable<Order> orders) { throw new NotImplementedException(); }     // "Submit()"
        public void Change(IEnumerable<Order> orders) { throw new NotImplementedException(); }     // "Change()"
        public void Cancel(IEnumerable<Order> orders) { throw new NotImplementedException(); }     // "Cancel()"
        public void CancelAllOrders(Instrument instrument) { throw new NotImplementedException(); } // "CancelAllOrders()"
        public void Flatten(ICollection<Instrument> instruments) { throw new NotImplementedException(); } // "Flatten()"
    }

    /// <summary>"AccountItem": the values the help guide lists. The add-on looks them up by name
    /// (Enum.TryParse), so its mapping also reaches items a given NT8 build adds.</summary>
    public enum AccountItem
    {
        BuyingPower, CashValue, Commission, ExcessIntradayMargin, ExcessInitialMargin, ExcessMaintenanceMargin,
        ExcessPositionMargin, Fee, GrossRealizedProfitLoss, InitialMargin, IntradayMargin, LongOptionValue,
        LookAheadMaintenanceMargin, LongStockValue, MaintenanceMargin, NetLiquidation, NetLiquidationByCurrency,
        PositionMargin, RealizedProfitLoss, ShortOptionValue, ShortStockValue, SodCashValue, SodLiquidatingValue,
        UnrealizedProfitLoss, TotalCashBalance,
    }

    /// <summary>"Denomination" / Account.Get's currency parameter. The add-on only calls ToString() on it
    /// (UsDollar, Euro, … mapped to ISO codes in Nt8Names), so no value is needed here.</summary>
    public enum Currency { }

    /// <summary>Used by NT8 add-ons as Provider.Simulator / Provider.Playback (not on a help-guide page of its own).</summary>
    public enum Provider { Simulator, Playback }

    public class AccountStatusEventArgs : EventArgs
    {
        public Account Account { get { throw new NotImplementedException(); } } // "AccountStatusUpdate" example: e.Account
    }

    public class AccountItemEventArgs : EventArgs
    {
        public Account Account { get { throw new NotImplementedException(); } } // "AccountItemUpdate" example: e.Account
    }

    // ---- Orders ("Order", "OrderUpdate", "IsTerminalState()")
    public class Order
    {
        public Account Account { get { throw new NotImplementedException(); } }
        public double AverageFillPrice { get { throw new NotImplementedException(); } }
        public int Filled { get { throw new NotImplementedException(); } }
        public DateTime Gtd { get { throw new NotImplementedException(); } }
        public Instrument Instrument { get { throw new NotImplementedException(); } }
        public double LimitPrice { get { throw new NotImplementedException(); } }
        public double LimitPriceChanged { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public string Name { get { throw new NotImplementedException(); } }
        public string Oco { get { throw new NotImplementedException(); } }
        public OrderAction OrderAction { get { throw new NotImplementedException(); } }
        public string OrderId { get { throw new NotImplementedException(); } }
        public OrderState OrderState { get { throw new NotImplementedException(); } }
        public OrderType OrderType { get { throw new NotImplementedException(); } }
        public int Quantity { get { throw new NotImplementedException(); } }
        public int QuantityChanged { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public double StopPrice { get { throw new NotImplementedException(); } }
        public double StopPriceChanged { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public DateTime Time { get { throw new NotImplementedException(); } }
        public TimeInForce TimeInForce { get { throw new NotImplementedException(); } }
        public static bool IsTerminalState(OrderState orderState) { throw new NotImplementedException(); }
    }

    /// <summary>The OrderUpdate event's arguments: the values of this one change, in sequence (they mirror
    /// the parameters of a strategy's OnOrderUpdate). Unconfirmed by a reference page: Error and Comment
    /// (seen in NT8 add-on code as e.Error / e.Comment).</summary>
    public class OrderEventArgs : EventArgs
    {
        public Order Order { get { throw new NotImplementedException(); } }
        public OrderState OrderState { get { throw new NotImplementedException(); } }
        public int Quantity { get { throw new NotImplementedException(); } }
        public int Filled { get { throw new NotImplementedException(); } }
        public double AverageFillPrice { get { throw new NotImplementedException(); } }
        public ErrorCode Error { get { throw new NotImplementedException(); } }
        public string Comment { get { throw new NotImplementedException(); } }
    }

    public class CustomOrder { } // "CreateOrder()" customOrder parameter; the add-on passes null

    public enum OrderAction { Buy, BuyToCover, Sell, SellShort }
    public enum OrderType { Limit, Market, MIT, StopMarket, StopLimit }
    public enum OrderEntry { Automated, Manual }
    public enum TimeInForce { Day, Gtc, Gtd, Ioc, Opg }
    public enum OrderState
    {
        Initialized, Submitted, Accepted, TriggerPending, Working, ChangePending, ChangeSubmitted,
        CancelPending, CancelSubmitted, Cancelled, Rejected, PartFilled, Filled, Unknown,
    }

    /// <summary>"Alert and Debug Concepts": ErrorCode values found in NT8 logs.</summary>
    public enum ErrorCode { NoError, LogOnFailed, OrderRejected, UnableToCancelOrder, UnableToChangeOrder, UserAbort, Panic }

    // ---- Executions ("Execution", "ExecutionUpdate")
    public class Execution
    {
        public Account Account { get { throw new NotImplementedException(); } }
        public double Commission { get { throw new NotImplementedException(); } }
        public string ExecutionId { get { throw new NotImplementedException(); } }
        public Instrument Instrument { get { throw new NotImplementedException(); } }
        /// <summary>Unconfirmed by the reference table; used in NT8 code as execution.IsEntry / IsExit.</summary>
        public bool IsEntry { get { throw new NotImplementedException(); } }
        public bool IsExit { get { throw new NotImplementedException(); } }
        public MarketPosition MarketPosition { get { throw new NotImplementedException(); } }
        public Order Order { get { throw new NotImplementedException(); } }
        public string OrderId { get { throw new NotImplementedException(); } }
        public double Price { get { throw new NotImplementedException(); } }
        public int Quantity { get { throw new NotImplementedException(); } }
        public DateTime Time { get { throw new NotImplementedException(); } }
    }

    public class ExecutionEventArgs : EventArgs
    {
        public Execution Execution { get { throw new NotImplementedException(); } } // "ExecutionUpdate" example
    }

    // ---- Positions ("PositionAccount", "PositionUpdate", "GetUnrealizedProfitLoss()")
    public class Position
    {
        public Account Account { get { throw new NotImplementedException(); } }
        public double AveragePrice { get { throw new NotImplementedException(); } }
        public Instrument Instrument { get { throw new NotImplementedException(); } }
        public MarketPosition MarketPosition { get { throw new NotImplementedException(); } }
        public int Quantity { get { throw new NotImplementedException(); } }
        /// <summary>"GetUnrealizedProfitLoss(PerformanceUnit unit, [double price])": without a price NT8 uses the
        /// last price. Unconfirmed: the optional parameter's declared default (the add-on never passes it).</summary>
        public double GetUnrealizedProfitLoss(PerformanceUnit unit, double price = 0) { throw new NotImplementedException(); }
    }

    /// <summary>"PositionUpdate" example: e.Position, e.MarketPosition, e.AveragePrice, e.Quantity; its note
    /// names Operation.Remove (flat) and Operation.Update.</summary>
    public class PositionEventArgs : EventArgs
    {
        public Position Position { get { throw new NotImplementedException(); } }
        public MarketPosition MarketPosition { get { throw new NotImplementedException(); } }
        public int Quantity { get { throw new NotImplementedException(); } }
        public double AveragePrice { get { throw new NotImplementedException(); } }
        public Operation Operation { get { throw new NotImplementedException(); } }
    }

    /// <summary>Unconfirmed: the namespace of Operation; the add-on compares e.Operation.ToString() with "Remove"
    /// so its code does not depend on it.</summary>
    public enum Operation { Update, Remove }
    public enum MarketPosition { Flat, Long, Short }
    public enum PerformanceUnit { Currency, Percent, Pips, Points, Ticks }

    // ---- Connections ("Connection Class", "ConnectionStatusUpdate", "Options", "Status", "PriceStatus")
    public class Connection
    {
        /// <summary>Unconfirmed: the collection type (the examples lock it and enumerate it).</summary>
        public static Collection<Connection> Connections { get { throw new NotImplementedException(); } }
        public static event EventHandler<ConnectionStatusEventArgs> ConnectionStatusUpdate { add { throw new NotImplementedException(); } remove { throw new NotImplementedException(); } }
        /// <summary>"Options": the connection's configuration; Name is the connection's name. Unconfirmed: the
        /// type's name (the add-on only reads Options.Name).</summary>
        public ConnectionOptions Options { get { throw new NotImplementedException(); } }
        public ConnectionStatus Status { get { throw new NotImplementedException(); } }
        public ConnectionStatus PriceStatus { get { throw new NotImplementedException(); } }
    }

    public class ConnectionOptions
    {
        public string Name { get { throw new NotImplementedException(); } }
    }

    public class ConnectionStatusEventArgs : EventArgs
    {
        public Connection Connection { get { throw new NotImplementedException(); } } // example: eCopy.Connection
        public ConnectionStatus Status { get { throw new NotImplementedException(); } }     // example: eCopy.Status
    }

    public enum ConnectionStatus { Connected, Connecting, ConnectionLost, Disconnecting, Disconnected }

    // ---- Instruments ("Instrument", "GetInstrument()", "FullName", "MasterInstrument", "MarketData")
    public class Instrument
    {
        public static Instrument GetInstrument(string instrumentName) { throw new NotImplementedException(); }
        public string FullName { get { throw new NotImplementedException(); } }
        public MasterInstrument MasterInstrument { get { throw new NotImplementedException(); } }
        public MarketData MarketData { get { throw new NotImplementedException(); } }
        /// <summary>"A Dispatcher used for subscribing to Instrument related events."</summary>
        public Dispatcher Dispatcher { get { throw new NotImplementedException(); } }
    }

    public class MasterInstrument
    {
        public string Name { get { throw new NotImplementedException(); } }              // "Name"
        public double TickSize { get { throw new NotImplementedException(); } }          // "TickSize"
        public InstrumentType InstrumentType { get { throw new NotImplementedException(); } } // "InstrumentType"
        public double RoundToTickSize(double price) { throw new NotImplementedException(); }  // "RoundToTickSize()"
        public string FormatPrice(double price) { throw new NotImplementedException(); }      // "FormatPrice()"
        public DateTime GetNextExpiry(DateTime afterDate) { throw new NotImplementedException(); } // "GetNextExpiry()"
    }

    public enum InstrumentType { Future, Stock, Index, Forex, Cfd, Cryptocurrency }

    /// <summary>"Log()": LogLevel values (NinjaTrader.Cbi.LogLevel in NT8 code).</summary>
    public enum LogLevel { Alert, Error, Information, Warning }
}
