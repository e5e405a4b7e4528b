// COMPILE-ONLY STUB (see Cbi.cs for the rules). NinjaTrader.Core.Globals as the help guide and
// NinjaTrader's own AddOn examples use it.
using System;
using System.Windows.Threading;

namespace NinjaTrader.Core
{
    public static class Globals
    {
        /// <summary>"CreateOrder()": pass Core.Globals.MaxDate as gtd when the time in force is not Gtd.</summary>
        public static DateTime MaxDate { get { throw new NotImplementedException(); } }
        /// <summary>"Alert and Debug Concepts": NinjaTrader.Core.Globals.Now (NT8's clock, Playback-aware).</summary>
        public static DateTime Now { get { throw new NotImplementedException(); } }
        /// <summary>NinjaTrader's AddOn examples open their windows with Globals.RandomDispatcher.InvokeAsync.</summary>
        public static Dispatcher RandomDispatcher { get { throw new NotImplementedException(); } }
        /// <summary>Tools → Options → General; NT8 code reads GeneralOptions.TimeZoneInfo. Unconfirmed by a
        /// reference page: the type name behind GeneralOptions.</summary>
        public static GeneralOptions GeneralOptions { get { throw new NotImplementedException(); } }
    }

    public class GeneralOptions
    {
        public TimeZoneInfo TimeZoneInfo { get { throw new NotImplementedException(); } }
    }
}
