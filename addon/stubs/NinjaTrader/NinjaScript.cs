// COMPILE-ONLY STUB (see Cbi.cs for the rules). NinjaTrader.NinjaScript: the AddOn base class, State,
// and the static NinjaScript.Log an AddOn uses instead of Log() ("Alert and Debug Concepts").
using System;
using System.Windows;
using NinjaTrader.Cbi;

namespace NinjaTrader.NinjaScript
{
    /// <summary>"State": the documented progression of a NinjaScript object.</summary>
    public enum State { SetDefaults, Configure, Active, DataLoaded, Historical, Transition, Realtime, Terminated }

    /// <summary>An AddOn's base ("AddOn Development Overview", "OnWindowCreated()", "OnWindowDestroyed()").
    /// Unconfirmed: NT8 puts Name, Description, State and OnStateChange on a shared NinjaScript base class;
    /// the stub declares them here, which accepts the same code.</summary>
    public abstract class AddOnBase
    {
        public string Name { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public string Description { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public State State { get { throw new NotImplementedException(); } }
        protected virtual void OnStateChange() { throw new NotImplementedException(); }
        protected virtual void OnWindowCreated(Window window) { throw new NotImplementedException(); }
        protected virtual void OnWindowDestroyed(Window window) { throw new NotImplementedException(); }
    }

    /// <summary>"Alert and Debug Concepts": "Instead of Log(), use NinjaScript.Log()" (NT8 code spells it
    /// NinjaTrader.NinjaScript.NinjaScript.Log(message, NinjaTrader.Cbi.LogLevel.Error)).</summary>
    public static class NinjaScript
    {
        public static void Log(string message, LogLevel logLevel) { throw new NotImplementedException(); }
    }
}
