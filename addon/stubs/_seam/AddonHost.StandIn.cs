// SEAM STAND-IN — NOT SHIPPED, NOT THE ADD-ON. Only so addon/NinjaTrader/ can be compile-checked before
// the real addon/Gateway/AddonHost.cs (written in parallel, protocol 1.1 SPEC "C# layout and the seam")
// lands. scripts/addon-nt8-check.mjs leaves this folder out by itself as soon as
// addon/Gateway/AddonHost.cs exists; delete addon/stubs/_seam/ after that merge.
// Members and signatures are exactly the SPEC's; bodies do nothing useful.
using System;

namespace NTMcpCompanion.Gateway
{
    public enum LinkState { Stopped, WaitingForPairing, Connecting, Connected, Refused, Disconnected }

    public sealed class AddonHostOptions
    {
        public string PairingFilePath;
        public string AddonVersion = "1.1.0";
        public Func<DateTime> UtcNow = () => DateTime.UtcNow;
    }

    public sealed class AddonHost : IDisposable
    {
        public static string DefaultPairingFilePath() { throw new NotImplementedException(); }
        public AddonHost(INinjaTraderGateway gateway, AddonHostOptions options) { throw new NotImplementedException(); }
        public LinkState State { get { throw new NotImplementedException(); } }
        public string CompanionUrl { get { throw new NotImplementedException(); } }
        public string Detail { get { throw new NotImplementedException(); } }
        public event Action StateChanged { add { throw new NotImplementedException(); } remove { throw new NotImplementedException(); } }
        public event Action<string, bool> Log { add { throw new NotImplementedException(); } remove { throw new NotImplementedException(); } }
        public void Start() { throw new NotImplementedException(); }
        public void Reconnect() { throw new NotImplementedException(); }
        public void Dispose() { throw new NotImplementedException(); }
    }
}
