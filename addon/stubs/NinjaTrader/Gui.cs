// COMPILE-ONLY STUB (see Cbi.cs for the rules). NinjaTrader.Gui / NinjaTrader.Gui.Tools as the help guide's
// "ControlCenter", "NTMenuItem" and "NTWindow" pages and NinjaTrader's AddOn framework example use them
// (those files import both namespaces, so which of the two holds a type does not change the add-on's code).
using System;
using System.Windows;
using System.Windows.Controls;

namespace NinjaTrader.Gui.Tools
{
    /// <summary>"NTWindow": parent window for custom windows; set Caption (not Title).</summary>
    public class NTWindow : Window
    {
        public string Caption { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
    }

    /// <summary>"NTMenuItem": a menu entry, e.g. in the Control Center's New menu.</summary>
    public class NTMenuItem : MenuItem { }

    /// <summary>cc.FindFirst("ControlCenterMenuItemNew") in the "ControlCenter" and "NTMenuItem" examples.
    /// Unconfirmed: where NT8 declares FindFirst and its exact parameter/return types (the examples call it
    /// on a Window and cast the result with `as NTMenuItem`).</summary>
    public static class FindFirstExtensions
    {
        public static DependencyObject FindFirst(this DependencyObject element, string automationId) { throw new NotImplementedException(); }
    }
}

namespace NinjaTrader.Gui
{
    /// <summary>"ControlCenter": the Control Center window (cast from OnWindowCreated's Window).</summary>
    public class ControlCenter : NinjaTrader.Gui.Tools.NTWindow { }
}
