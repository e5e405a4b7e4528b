// The small window behind Control Center → New → "MCP Companion": link state, companion URL, the
// host's one-sentence detail, and a Reconnect button (help guide: "NTWindow").
// The window lives on the dispatcher thread that created it; AddonHost.StateChanged fires on any thread,
// so every update goes through this window's Dispatcher.InvokeAsync ("Multi-Threading Considerations
// for NinjaScript": use InvokeAsync, never the blocking Invoke).
// No IWorkspacePersistence: the window is a status panel and is not restored with workspaces.
#region Using declarations
using System;
using System.Threading;
using System.Windows;
using System.Windows.Controls;
using NinjaTrader.Gui;
using NinjaTrader.Gui.Tools;
using NTMcpCompanion.Gateway;
#endregion

namespace NinjaTrader.NinjaScript.AddOns.McpCompanion
{
    public class McpCompanionWindow : NTWindow
    {
        private readonly AddonHost host;
        private readonly TextBlock stateText;
        private readonly TextBlock urlText;
        private readonly TextBlock detailText;
        private readonly Button reconnectButton;

        public McpCompanionWindow(AddonHost host)
        {
            this.host = host;
            Caption = "MCP Companion"; // NTWindow: set Caption, not Title
            Width = 520;
            Height = 230;

            var panel = new StackPanel { Margin = new Thickness(12) };
            stateText = new TextBlock { Margin = new Thickness(0, 0, 0, 6), TextWrapping = TextWrapping.Wrap };
            urlText = new TextBlock { Margin = new Thickness(0, 0, 0, 6), TextWrapping = TextWrapping.Wrap };
            detailText = new TextBlock { Margin = new Thickness(0, 0, 0, 12), TextWrapping = TextWrapping.Wrap };
            reconnectButton = new Button { Content = "Reconnect", Width = 120, HorizontalAlignment = HorizontalAlignment.Left };
            reconnectButton.Click += OnReconnectClick;
            panel.Children.Add(stateText);
            panel.Children.Add(urlText);
            panel.Children.Add(detailText);
            panel.Children.Add(reconnectButton);
            Content = panel;

            if (host != null) host.StateChanged += OnHostStateChanged;
            Closed += OnClosed;
            Refresh();
        }

        private void OnHostStateChanged()
        {
            if (Dispatcher.HasShutdownStarted) return;
            Dispatcher.InvokeAsync(new Action(Refresh));
        }

        private void Refresh()
        {
            if (host == null)
            {
                stateText.Text = "Link: not running";
                urlText.Text = "Companion: —";
                detailText.Text = "The MCP Companion add-on is not active. Enable it (or restart NinjaTrader) and open this window again.";
                reconnectButton.IsEnabled = false;
                return;
            }
            stateText.Text = "Link: " + Describe(host.State);
            urlText.Text = "Companion: " + (string.IsNullOrEmpty(host.CompanionUrl) ? "— (no pairing file read yet)" : host.CompanionUrl);
            detailText.Text = host.Detail ?? "";
            reconnectButton.IsEnabled = true;
        }

        private static string Describe(LinkState state)
        {
            switch (state)
            {
                case LinkState.Connected: return "Connected";
                case LinkState.Connecting: return "Connecting…";
                case LinkState.WaitingForPairing: return "Waiting for the companion's pairing file";
                case LinkState.Refused: return "Refused by the companion";
                case LinkState.Disconnected: return "Disconnected (retrying)";
                case LinkState.Stopped: return "Stopped";
                default: return state.ToString();
            }
        }

        private void OnReconnectClick(object sender, RoutedEventArgs e)
        {
            AddonHost h = host;
            if (h == null) return;
            // Off the UI thread: closing a socket may take a moment.
            ThreadPool.QueueUserWorkItem(_ =>
            {
                try { h.Reconnect(); }
                catch (Exception) { /* the host reports its own failures through Log and Detail */ }
            });
        }

        private void OnClosed(object sender, EventArgs e)
        {
            if (host != null) host.StateChanged -= OnHostStateChanged;
            reconnectButton.Click -= OnReconnectClick;
            Closed -= OnClosed;
        }
    }
}
