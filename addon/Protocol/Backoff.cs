// Capped exponential backoff with jitter for reconnects (SPEC 1.1: 0.25 s doubling to 10 s, ±20 %).
// Jitter spreads the retries of many add-ons (or of one add-on and a restarting companion) apart.
// C# 7.2 / .NET Framework 4.8.
using System;

namespace NTMcpCompanion.Protocol
{
    public sealed class Backoff
    {
        public readonly TimeSpan Min;
        public readonly TimeSpan Max;
        /// <summary>0.2 = each delay is the nominal one ±20 %.</summary>
        public readonly double Jitter;
        private readonly Random _random;
        private readonly object _lock = new object();
        private int _attempt;

        public Backoff(TimeSpan min, TimeSpan max, double jitter, Random random = null)
        {
            if (min <= TimeSpan.Zero || max < min) throw new ArgumentException("Backoff needs 0 < min <= max.");
            if (jitter < 0 || jitter >= 1) throw new ArgumentException("Backoff jitter must be in [0, 1).");
            Min = min; Max = max; Jitter = jitter;
            _random = random ?? new Random();
        }

        public static Backoff Default() { return new Backoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10), 0.2); }

        /// <summary>Attempts since the last Reset.</summary>
        public int Attempt { get { lock (_lock) return _attempt; } }

        /// <summary>The nominal (un-jittered) delay of the given attempt: min·2^attempt capped at max.</summary>
        public TimeSpan Nominal(int attempt)
        {
            double ms = Min.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
            return TimeSpan.FromMilliseconds(Math.Min(ms, Max.TotalMilliseconds));
        }

        /// <summary>The delay before the next attempt, then counts the attempt. Never above Max·(1+jitter)
        /// nor below Min·(1−jitter).</summary>
        public TimeSpan Next()
        {
            lock (_lock)
            {
                var nominal = Nominal(_attempt).TotalMilliseconds;
                _attempt++;
                var factor = 1 + Jitter * (2 * _random.NextDouble() - 1);
                return TimeSpan.FromMilliseconds(nominal * factor);
            }
        }

        public void Reset() { lock (_lock) _attempt = 0; }
    }
}
