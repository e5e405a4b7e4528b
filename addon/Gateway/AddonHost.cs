// The one entry point the NT8 layer (and the Mono harness) uses: ties the pairing file, the link
// (Protocol/LinkClient.cs) and the RequestDispatcher (Dispatcher.cs) to one INinjaTraderGateway. Surface fixed by
// SPEC-protocol-1.1 ("C# layout and the seam"); do not change it without the NT8 layer.
// C# 7.2 / .NET Framework 4.8.
using System;
using System.Collections.Generic;
using System.IO;
using NTMcpCompanion.Protocol;

namespace NTMcpCompanion.Gateway
{
    public enum LinkState { Stopped, WaitingForPairing, Connecting, Connected, Refused, Disconnected }

    public sealed class AddonHostOptions
    {
        public string PairingFilePath;          // default: AddonHost.DefaultPairingFilePath()
        public string AddonVersion = "1.1.0";
        public Func<DateTime> UtcNow = () => DateTime.UtcNow;   // one clock
        // Test-only timing (the Mono harness's hidden flags); not part of the NT8 layer's surface.
        internal TimeSpan? SilenceLimit;
        internal TimeSpan? HeartbeatInterval;
        internal int? MaxMessageBytes;
    }

    public sealed class AddonHost : IDisposable
    {
        /// <summary>What the real add-on advertises in hello (SPEC 1.1).</summary>
        public static readonly string[] Capabilities = { "orders", "quotes", "bars", "oco", "subscribe", "gtd", "mit" };

        private readonly INinjaTraderGateway _gateway;
        private readonly AddonHostOptions _options;
        private readonly LinkClient _link;
        private readonly RequestDispatcher _dispatcher;
        private readonly Handler _handler;
        private bool _started;
        private bool _disposed;

        public static string DefaultPairingFilePath()
        {
            // The exact place the companion writes it (src/ninjatrader/pairing.ts): <user profile>\Documents\
            // NinjaTrader 8\nt-mcp-companion\pairing.json on Windows, ~/Documents/NinjaTrader 8/… elsewhere.
            var unix = Environment.OSVersion.Platform == PlatformID.Unix || Environment.OSVersion.Platform == PlatformID.MacOSX;
            var home = Environment.GetEnvironmentVariable(unix ? "HOME" : "USERPROFILE");
            if (string.IsNullOrEmpty(home)) home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (string.IsNullOrEmpty(home)) home = Environment.GetEnvironmentVariable("HOME") ?? ".";
            return Path.Combine(home, "Documents", "NinjaTrader 8", "nt-mcp-companion", "pairing.json");
        }

        public AddonHost(INinjaTraderGateway gateway, AddonHostOptions options)
        {
            if (gateway == null) throw new ArgumentNullException("gateway");
            _gateway = gateway;
            _options = options ?? new AddonHostOptions();
            if (string.IsNullOrEmpty(_options.PairingFilePath)) _options.PairingFilePath = DefaultPairingFilePath();
            _handler = new Handler(this);
            var linkOptions = new LinkOptions { PairingFilePath = _options.PairingFilePath };
            if (_options.SilenceLimit.HasValue) linkOptions.SilenceLimit = _options.SilenceLimit.Value;
            if (_options.HeartbeatInterval.HasValue) linkOptions.HeartbeatInterval = _options.HeartbeatInterval.Value;
            if (_options.MaxMessageBytes.HasValue) linkOptions.MaxMessageBytes = _options.MaxMessageBytes.Value;
            _link = new LinkClient(_handler, linkOptions);
            _link.Log += (m, e) => EmitLog(m, e);
            _link.StatusChanged += () => { var h = StateChanged; if (h != null) h(); };
            _dispatcher = new RequestDispatcher(gateway, m => _link.Send(m), (m, e) => EmitLog(m, e));
        }

        public LinkState State { get { return (LinkState)(int)_link.Status; } }
        public string CompanionUrl { get { return _link.CompanionUrl; } }
        public string Detail { get { return _link.Detail; } }
        public event Action StateChanged;
        public event Action<string, bool> Log;

        /// <summary>For tests and diagnostics: the seq of the last event sent.</summary>
        internal RequestDispatcher Dispatcher { get { return _dispatcher; } }

        private void EmitLog(string message, bool isError)
        {
            var h = Log;
            if (h != null) { try { h(message, isError); } catch (Exception) { } }
        }

        public void Start()
        {
            if (_started || _disposed) return;
            _started = true;
            _dispatcher.Attach();
            _link.Start();
        }

        public void Reconnect() { if (_started && !_disposed) _link.Reconnect(); }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _dispatcher.Detach();
            _link.Dispose();
            _dispatcher.Dispose();
        }

        private sealed class Handler : ILinkHandler
        {
            private readonly AddonHost _host;
            public Handler(AddonHost host) { _host = host; }

            public HelloMessage CreateHello()
            {
                return new HelloMessage
                {
                    AddonVersion = _host._options.AddonVersion,
                    Nt8Version = _host._gateway.Nt8Version ?? "unknown",
                    Simulated = _host._gateway.Simulated,
                    Capabilities = new List<string>(Capabilities),
                    ProtocolMinor = ProtocolVersion.Minor,
                };
            }

            public void OnWelcome(WelcomeMessage welcome) { }
            public void OnRequest(RequestMessage request) { _host._dispatcher.HandleRequest(request); }
            public void OnDisconnected() { }
        }
    }
}
