// COMPILE-ONLY STUB (see Cbi.cs for the rules). NinjaTrader.Data: market data, bars requests, trading hours.
using System;
using NinjaTrader.Cbi;

namespace NinjaTrader.Data
{
    /// <summary>"MarketData": snapshot values (each a MarketDataEventArgs) and the Update event, which the
    /// example subscribes through instrument.Dispatcher.InvokeAsync. Unconfirmed: Update's delegate type.</summary>
    public class MarketData
    {
        public MarketDataEventArgs Ask { get { throw new NotImplementedException(); } }
        public MarketDataEventArgs Bid { get { throw new NotImplementedException(); } }
        public MarketDataEventArgs DailyHigh { get { throw new NotImplementedException(); } }
        public MarketDataEventArgs DailyLow { get { throw new NotImplementedException(); } }
        public MarketDataEventArgs DailyVolume { get { throw new NotImplementedException(); } }
        public MarketDataEventArgs Last { get { throw new NotImplementedException(); } }
        public MarketDataEventArgs Settlement { get { throw new NotImplementedException(); } }
        public event EventHandler<MarketDataEventArgs> Update { add { throw new NotImplementedException(); } remove { throw new NotImplementedException(); } }
    }

    /// <summary>"MarketDataEventArgs": Instrument, Price (double), Time (DateTime), Volume (long).</summary>
    public class MarketDataEventArgs : EventArgs
    {
        public Instrument Instrument { get { throw new NotImplementedException(); } }
        public double Price { get { throw new NotImplementedException(); } }
        public DateTime Time { get { throw new NotImplementedException(); } }
        public long Volume { get { throw new NotImplementedException(); } }
    }

    /// <summary>"BarsRequest": BarsRequest(Cbi.Instrument instrument, int barsBack) and
    /// BarsRequest(Cbi.Instrument instrument, DateTime fromLocal, DateTime toLocal); BarsPeriod, TradingHours,
    /// Bars; "Request()" with Action&lt;BarsRequest, ErrorCode, string&gt;; Dispose() when done.</summary>
    public class BarsRequest : IDisposable
    {
        public BarsRequest(Instrument instrument, int barsBack) { throw new NotImplementedException(); }
        public BarsRequest(Instrument instrument, DateTime fromLocal, DateTime toLocal) { throw new NotImplementedException(); }
        public Bars Bars { get { throw new NotImplementedException(); } }
        public BarsPeriod BarsPeriod { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public TradingHours TradingHours { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public void Request(Action<BarsRequest, ErrorCode, string> callback) { throw new NotImplementedException(); }
        public void Dispose() { throw new NotImplementedException(); }
    }

    /// <summary>The bars a request returns ("BarsRequest" example: bars.Bars.Count, GetTime(i), GetOpen(i), …).
    /// Unconfirmed: GetVolume's return type (long here; the add-on only widens it to double).</summary>
    public class Bars
    {
        public int Count { get { throw new NotImplementedException(); } }
        public DateTime GetTime(int index) { throw new NotImplementedException(); }
        public double GetOpen(int index) { throw new NotImplementedException(); }
        public double GetHigh(int index) { throw new NotImplementedException(); }
        public double GetLow(int index) { throw new NotImplementedException(); }
        public double GetClose(int index) { throw new NotImplementedException(); }
        public long GetVolume(int index) { throw new NotImplementedException(); }
    }

    /// <summary>"BarsPeriod": new BarsPeriod { BarsPeriodType = …, Value = … }.</summary>
    public class BarsPeriod
    {
        public BarsPeriodType BarsPeriodType { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public int Value { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
    }

    /// <summary>"BarsPeriod": the documented types and their registered values.</summary>
    public enum BarsPeriodType
    {
        Tick = 0, Volume = 1, Range = 2, Second = 3, Minute = 4, Day = 5, Week = 6, Month = 7, Year = 8,
        HeikenAshi = 9, Kagi = 10, Renko = 11, PointAndFigure = 12, LineBreak = 13, Volumetric = 14,
    }

    /// <summary>"TradingHours" / "Get()": TradingHours.Get(string name).</summary>
    public class TradingHours
    {
        public static TradingHours Get(string name) { throw new NotImplementedException(); }
    }
}
