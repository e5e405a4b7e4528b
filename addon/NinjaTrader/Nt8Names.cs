// Pure name mappings between NinjaTrader 8 spellings and the add-on protocol (protocol 1.1,
// docs/addon-protocol.md). No NinjaTrader types here: every NT8 enum arrives as its ToString() text,
// so a value a newer NT8 adds passes through unchanged instead of breaking the add-on.
// C# 7.2 / .NET Framework 4.8.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;

namespace NinjaTrader.NinjaScript.AddOns.McpCompanion
{
    public static class Nt8Names
    {
        /// <summary>NT8 Currency enum name (Account.Denomination.ToString()) → ISO 4217 code. A name with
        /// no entry here (a currency NT8 adds later) is sent as NT8 spells it.</summary>
        public static string IsoCurrency(string nt8Currency)
        {
            switch (nt8Currency)
            {
                case "UsDollar": return "USD";
                case "Euro": return "EUR";
                case "BritishPound": return "GBP";
                case "JapaneseYen": return "JPY";
                case "SwissFranc": return "CHF";
                case "CanadianDollar": return "CAD";
                case "AustralianDollar": return "AUD";
                case "HongKongDollar": return "HKD";
                case "NewZealandDollar": return "NZD";
                default: return string.IsNullOrEmpty(nt8Currency) ? "USD" : nt8Currency;
            }
        }

        /// <summary>NT8 AccountItem names (Account.Get / AccountItemEventArgs.AccountItem, spelled as the enum)
        /// → protocol item names. Resolved by name at run time (Enum.TryParse), so an item this NT8 build
        /// lacks (ExcessEquity is not in the help guide's AccountItem list) is simply not sent.</summary>
        public static readonly KeyValuePair<string, string>[] AccountItems =
        {
            Pair("CashValue", "cashValue"),
            Pair("BuyingPower", "buyingPower"),
            Pair("NetLiquidation", "netLiquidation"),
            Pair("RealizedProfitLoss", "realizedPnL"),
            Pair("UnrealizedProfitLoss", "unrealizedPnL"),
            Pair("GrossRealizedProfitLoss", "grossRealizedPnL"),
            Pair("Commission", "commission"),
            Pair("TotalCashBalance", "totalCashBalance"),
            Pair("SodCashValue", "sodCashValue"),
            Pair("InitialMargin", "initialMargin"),
            Pair("MaintenanceMargin", "maintenanceMargin"),
            Pair("IntradayMargin", "intradayMargin"),
            Pair("ExcessInitialMargin", "excessInitialMargin"),
            Pair("ExcessMaintenanceMargin", "excessMaintenanceMargin"),
            Pair("ExcessIntradayMargin", "excessIntradayMargin"),
            Pair("ExcessEquity", "excessEquity"),
            Pair("LongOptionValue", "longOptionValue"),
            Pair("ShortOptionValue", "shortOptionValue"),
        };

        /// <summary>Items the protocol requires on every account; sent as 0 when NT8 has no value.</summary>
        public static readonly string[] RequiredItems =
            { "cashValue", "buyingPower", "netLiquidation", "realizedPnL", "unrealizedPnL" };

        /// <summary>Protocol item name for an NT8 AccountItem name, or null when the protocol does not carry it.</summary>
        public static string ProtocolItem(string nt8Item)
        {
            foreach (var p in AccountItems) if (p.Key == nt8Item) return p.Value;
            return null;
        }

        private static readonly Regex FullName = new Regex(@"^([A-Z0-9][A-Z0-9.]*) (\d{2})-(\d{2})$");
        private static readonly Regex MonthCode = new Regex(@"^([A-Z][A-Z0-9]*?)([FGHJKMNQUVXZ])(\d{1,2})$");
        private static readonly Regex Root = new Regex(@"^[A-Z0-9][A-Z0-9.]*$");
        private const string MonthCodes = "FGHJKMNQUVXZ";

        /// <summary>Normalises what the companion sends ("ES 12-26", "ES", "ESZ26", "esz6") to either an NT8
        /// full name ("ES 12-26") or a bare root ("ES"). isRoot tells which. null when the text is neither.
        /// A one-digit year is read in the decade of <paramref name="today"/> (Z6 in 2026 → 12-26).</summary>
        public static string Normalise(string name, DateTime today, out bool isRoot)
        {
            isRoot = false;
            if (name == null) return null;
            string s = Regex.Replace(name.Trim().ToUpperInvariant(), @"\s+", " ");
            if (s.Length == 0 || s.Length > 64) return null;
            if (FullName.IsMatch(s)) return s;
            Match m = MonthCode.Match(s);
            if (m.Success)
            {
                int month = MonthCodes.IndexOf(m.Groups[2].Value[0]) + 1;
                int year = int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
                if (m.Groups[3].Value.Length == 1)
                {
                    int decade = today.Year / 10 * 10;
                    year = decade + year;
                    if (year < today.Year - 1) year += 10;
                    year %= 100;
                }
                return m.Groups[1].Value + " " + month.ToString("00", CultureInfo.InvariantCulture) + "-" +
                       year.ToString("00", CultureInfo.InvariantCulture);
            }
            if (Root.IsMatch(s)) { isRoot = true; return s; }
            // Anything else (a stock with a space, a forex pair "EUR/USD"): let NT8 decide.
            return s;
        }

        /// <summary>"ES" + expiry month → "ES 12-26", NT8's futures naming.</summary>
        public static string ContractName(string root, DateTime expiry)
        {
            return root + " " + expiry.ToString("MM-yy", CultureInfo.InvariantCulture);
        }

        /// <summary>Which prices an NT8 order type carries (OrderType.ToString()). Unknown types: both, if set.</summary>
        public static void PricesFor(string orderType, out bool limit, out bool stop)
        {
            switch (orderType)
            {
                case "Market": limit = false; stop = false; return;
                case "Limit": limit = true; stop = false; return;
                case "StopMarket": limit = false; stop = true; return;
                case "StopLimit": limit = true; stop = true; return;
                case "MIT": limit = false; stop = true; return;
                default: limit = true; stop = true; return;
            }
        }

        public static bool IsBuy(string action)
        {
            return action == "Buy" || action == "BuyToCover";
        }

        private static KeyValuePair<string, string> Pair(string k, string v)
        {
            return new KeyValuePair<string, string>(k, v);
        }
    }
}
