// The Mono harness: Protocol/ + Gateway/ (the add-on minus the NinjaTrader layer) driving a
// FakeGateway, connected to a real companion. It prints one line per thing that happened, so tests
// can wait for lines ("connected …", "submitted mcp:…:abc Buy 1 ES 12-26 Market FAKE000001", …).
// Usage: mono NTMcpHarness.exe [--pairing-file <path>] [--state <file>] [--hang-after-submit]
//        [--accounts Sim101,Sim102] [--now <ISO time>] [--quote-interval-ms <n>]
// C# 7.2, Mono.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using NTMcpCompanion.Gateway;
using NTMcpCompanion.Protocol;

namespace NTMcpCompanion.Harness
{
    public static class Program
    {
        private static readonly object OutLock = new object();

        private static void Out(string line)
        {
            lock (OutLock)
            {
                Console.Out.WriteLine(line);
                Console.Out.Flush();
            }
        }

        private const string Usage =
            "Usage: mono NTMcpHarness.exe [--pairing-file <path>] [--state <file>] [--hang-after-submit]\n" +
            "                             [--accounts Sim101,Sim102] [--now <ISO time>] [--quote-interval-ms <n>]\n" +
            "  --pairing-file       the companion's pairing file (default " + "<home>/Documents/NinjaTrader 8/nt-mcp-companion/pairing.json)\n" +
            "  --state              keep the fake NinjaTrader's orders, positions and executions in this file across restarts\n" +
            "  --hang-after-submit  place and persist a submitted order, then never answer that request\n" +
            "  --accounts           the fake accounts (default Sim101,Sim102)\n" +
            "  --now                the fake NinjaTrader's clock starts at this UTC time (default: the machine clock)\n" +
            "  --quote-interval-ms  quote stream period (default 250; 0 = no streaming)\n" +
            "  --silence-limit-ms, --heartbeat-ms, --max-message-bytes  (tests) shorten the 30 s silence limit,\n" +
            "                       the 10 s heartbeat, the 64 MiB message cap";

        public static int Main(string[] args)
        {
            string pairing = null, state = null, nowText = null;
            bool hang = false;
            var accounts = new List<string> { "Sim101", "Sim102" };
            int quoteMs = 250;
            int silenceMs = 0, heartbeatMs = 0, maxBytes = 0;
            for (int i = 0; i < args.Length; i++)
            {
                string a = args[i];
                Func<string> next = () =>
                {
                    if (i + 1 >= args.Length) throw new ArgumentException(a + " needs a value.");
                    return args[++i];
                };
                try
                {
                    switch (a)
                    {
                        case "--pairing-file": pairing = next(); break;
                        case "--state": state = next(); break;
                        case "--hang-after-submit": hang = true; break;
                        case "--accounts":
                            accounts = new List<string>();
                            foreach (var s in next().Split(',')) if (s.Trim().Length > 0) accounts.Add(s.Trim());
                            if (accounts.Count == 0) throw new ArgumentException("--accounts needs at least one account name.");
                            break;
                        case "--now": nowText = next(); break;
                        case "--quote-interval-ms": quoteMs = int.Parse(next(), CultureInfo.InvariantCulture); break;
                        // Test-only: shorten the 30 s silence limit and the 10 s heartbeat.
                        case "--silence-limit-ms": silenceMs = int.Parse(next(), CultureInfo.InvariantCulture); break;
                        case "--heartbeat-ms": heartbeatMs = int.Parse(next(), CultureInfo.InvariantCulture); break;
                        case "--max-message-bytes": maxBytes = int.Parse(next(), CultureInfo.InvariantCulture); break;
                        case "--help": case "-h": Console.WriteLine(Usage); return 0;
                        default: throw new ArgumentException("Unknown option " + a + ".");
                    }
                }
                catch (Exception e)
                {
                    Console.Error.WriteLine("error: " + e.Message);
                    Console.Error.WriteLine(Usage);
                    return 2;
                }
            }

            Func<DateTime> clock = () => DateTime.UtcNow;
            if (nowText != null)
            {
                DateTime start;
                if (!Json.TryParseIsoTime(nowText, out start))
                {
                    Console.Error.WriteLine("error: --now expects an ISO time such as 2026-11-24T15:00:00Z; got '" + nowText + "'.");
                    return 2;
                }
                var sw = Stopwatch.StartNew();
                clock = () => start + sw.Elapsed;
            }

            FakeGateway gateway;
            try { gateway = new FakeGateway(accounts, clock, state, Out) { HangAfterSubmit = hang }; }
            catch (Exception e)
            {
                Console.Error.WriteLine("error: could not start the fake NinjaTrader: " + e.Message);
                return 1;
            }
            var hostOptions = new AddonHostOptions { PairingFilePath = pairing, UtcNow = clock };
            if (silenceMs > 0) hostOptions.SilenceLimit = TimeSpan.FromMilliseconds(silenceMs);
            if (heartbeatMs > 0) hostOptions.HeartbeatInterval = TimeSpan.FromMilliseconds(heartbeatMs);
            if (maxBytes > 0) hostOptions.MaxMessageBytes = maxBytes;
            var host = new AddonHost(gateway, hostOptions);
            LinkState last = LinkState.Stopped;
            host.StateChanged += () =>
            {
                var s = host.State;
                var detail = host.Detail;
                lock (OutLock)
                {
                    if (s == last && s != LinkState.Refused) return;
                    last = s;
                }
                switch (s)
                {
                    case LinkState.Connected: Out("connected " + host.CompanionUrl); break;
                    case LinkState.Refused: Out("refused: " + (detail.StartsWith("Refused: ", StringComparison.Ordinal) ? detail.Substring(9) : detail)); break;
                    case LinkState.Disconnected: Out("disconnected: " + detail); break;
                    case LinkState.WaitingForPairing: Out("waiting: " + detail); break;
                    case LinkState.Connecting: Out("connecting " + host.CompanionUrl); break;
                    case LinkState.Stopped: Out("stopped"); break;
                }
            };
            host.Log += (m, isError) => Out((isError ? "error: " : "log: ") + m);

            var done = new ManualResetEventSlim(false);
            Console.CancelKeyPress += (s, e) => { e.Cancel = true; done.Set(); };
            Out("harness started (pid " + Process.GetCurrentProcess().Id + ", accounts " + string.Join(",", accounts) + ", instruments " + gateway.Instruments + ", pairing file " + (pairing ?? AddonHost.DefaultPairingFilePath()) + ")");
            host.Start();
            gateway.StartQuotes(TimeSpan.FromMilliseconds(quoteMs));
            done.Wait();
            Out("stopping");
            gateway.Dispose();
            host.Dispose();
            return 0;
        }
    }
}
