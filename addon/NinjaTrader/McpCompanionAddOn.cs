// The NinjaTrader 8 AddOn: NT8 finds it by its base class (AddOnBase) in NinjaTrader.NinjaScript.AddOns,
// runs OnStateChange through SetDefaults → Configure → Active → Terminated, and calls OnWindowCreated
// for every NTWindow (help guide: "AddOn Development Overview", "OnWindowCreated()",
// "OnWindowDestroyed()", "ControlCenter", "NTMenuItem").
// C# 7.2 for NT8's NinjaScript compiler; compiled under Mono against addon/stubs/ in CI.
#region Using declarations
using System;
using System.Windows;
using NinjaTrader.Cbi;
using NinjaTrader.Gui;
using NinjaTrader.Gui.Tools;
using NinjaTrader.NinjaScript.AddOns.McpCompanion;
using NTMcpCompanion.Gateway;
#endregion

namespace NinjaTrader.NinjaScript.AddOns
{
    public class McpCompanionAddOn : AddOnBase
    {
        private NinjaTraderGateway gateway;
        private AddonHost host;
        private NTMenuItem controlCenterNewMenu;
        private NTMenuItem menuItem;

        protected override void OnStateChange()
        {
            if (State == State.SetDefaults)
            {
                // NT8 also creates throw-away instances that only see SetDefaults (e.g. to list add-ons):
                // nothing here may open a socket, start a thread or subscribe an event.
                Name = "MCP Companion";
                Description = "Links NinjaTrader 8 to the NT MCP Companion desktop app (dials out to it on 127.0.0.1; opens no port).";
            }
            else if (State == State.Active)
            {
                StartLink();
            }
            else if (State == State.Terminated)
            {
                // Terminated also runs on instances that never became Active: StopLink copes with nothing started.
                StopLink();
            }
        }

        private void StartLink()
        {
            if (host != null) return;
            try
            {
                gateway = new NinjaTraderGateway(WriteLog);
                gateway.Start();
                host = new AddonHost(gateway, new AddonHostOptions { PairingFilePath = AddonHost.DefaultPairingFilePath() });
                host.Log += WriteLog;
                host.Start(); // returns at once; the link runs on its own threads
                WriteLog("MCP Companion add-on started; looking for the companion's pairing file at " + AddonHost.DefaultPairingFilePath() + ".", false);
            }
            catch (Exception ex)
            {
                WriteLog("MCP Companion add-on could not start: " + ex.Message, true);
                StopLink();
            }
        }

        private void StopLink()
        {
            AddonHost h = host;
            NinjaTraderGateway g = gateway;
            host = null;
            gateway = null;
            if (h != null)
            {
                try { h.Dispose(); } // closes the socket and unsubscribes the gateway's events
                catch (Exception ex) { WriteLog("MCP Companion add-on: closing the link failed: " + ex.Message, true); }
                h.Log -= WriteLog;
            }
            if (g != null)
            {
                try { g.Dispose(); } // unsubscribes every NT8 account, connection and market data event
                catch (Exception ex) { WriteLog("MCP Companion add-on: releasing NinjaTrader events failed: " + ex.Message, true); }
            }
        }

        private static void WriteLog(string message, bool isError)
        {
            // "Alert and Debug Concepts": outside a NinjaScript object's scope use NinjaScript.Log() for the
            // Control Center Log tab. AddonHost never puts the pairing secret in a message.
            try
            {
                NinjaTrader.NinjaScript.NinjaScript.Log("MCP Companion: " + message, isError ? LogLevel.Error : LogLevel.Information);
            }
            catch (Exception) { /* logging must never take the add-on down */ }
        }

        // "OnWindowCreated()": called for every new NTWindow, on that window's thread.
        protected override void OnWindowCreated(Window window)
        {
            ControlCenter cc = window as ControlCenter;
            if (cc == null || menuItem != null) return;
            // "NTMenuItem" / "ControlCenter": the Control Center's New menu has the automation id
            // ControlCenterMenuItemNew.
            controlCenterNewMenu = cc.FindFirst("ControlCenterMenuItemNew") as NTMenuItem;
            if (controlCenterNewMenu == null) return;
            menuItem = new NTMenuItem
            {
                Header = "MCP Companion",
                Style = Application.Current.TryFindResource("MainMenuItem") as Style,
            };
            menuItem.Click += OnMenuItemClick;
            controlCenterNewMenu.Items.Add(menuItem);
        }

        // "OnWindowDestroyed()": remove what OnWindowCreated added when the Control Center goes.
        protected override void OnWindowDestroyed(Window window)
        {
            if (menuItem == null || !(window is ControlCenter)) return;
            if (controlCenterNewMenu != null && controlCenterNewMenu.Items.Contains(menuItem))
                controlCenterNewMenu.Items.Remove(menuItem);
            menuItem.Click -= OnMenuItemClick;
            menuItem = null;
            controlCenterNewMenu = null;
        }

        private void OnMenuItemClick(object sender, RoutedEventArgs e)
        {
            AddonHost h = host;
            // NinjaTrader's AddOn examples open their windows on a random UI dispatcher, asynchronously.
            Core.Globals.RandomDispatcher.InvokeAsync(new Action(() => new McpCompanionWindow(h).Show()));
        }
    }
}
