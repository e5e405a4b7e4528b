// A small, strict JSON reader and writer (RFC 8259). NinjaTrader 8 references no JSON library we
// may rely on (System.Web.Extensions is not among NinjaScript's default references), so the add-on
// carries its own. Values map to: JsonObject (ordered), List<object>, string, double, bool, and
// C# null for JSON null. JsonObject.Has tells an absent member from an explicit null.
// Reader limits: nesting depth (default 64) and text length (default 64 MiB, the protocol's cap);
// every error names the character position. The writer escapes control characters and writes
// non-finite doubles (NaN, ±Infinity) as null: JSON has no spelling for them, and the companion
// validates each record, so it reports such a record instead of choking on the whole message.
// C# 7.2 / .NET Framework 4.8.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace NTMcpCompanion.Protocol
{
    public sealed class JsonException : Exception
    {
        /// <summary>Zero-based character offset in the text where the problem is (-1 when not about a text).</summary>
        public readonly int Position;
        public JsonException(string message, int position) : base(message) { Position = position; }
    }

    /// <summary>A JSON object that keeps member order (the writer emits members as added).</summary>
    public sealed class JsonObject : IEnumerable<KeyValuePair<string, object>>
    {
        private readonly List<string> _keys = new List<string>();
        private readonly Dictionary<string, object> _values = new Dictionary<string, object>(StringComparer.Ordinal);

        public int Count { get { return _keys.Count; } }
        public IEnumerable<string> Keys { get { return _keys; } }
        public bool Has(string key) { return _values.ContainsKey(key); }

        public object this[string key]
        {
            get { object v; return _values.TryGetValue(key, out v) ? v : null; }
            set { Set(key, value); }
        }

        /// <summary>Adds or replaces a member; returns this so objects can be built fluently.</summary>
        public JsonObject Set(string key, object value)
        {
            if (key == null) throw new ArgumentNullException("key");
            if (!_values.ContainsKey(key)) _keys.Add(key);
            _values[key] = value;
            return this;
        }

        /// <summary>Sets the member only when the value is not null (optional fields).</summary>
        public JsonObject SetIfNotNull(string key, object value)
        {
            if (value != null) Set(key, value);
            return this;
        }

        public bool Remove(string key)
        {
            if (!_values.Remove(key)) return false;
            _keys.Remove(key);
            return true;
        }

        public IEnumerator<KeyValuePair<string, object>> GetEnumerator()
        {
            foreach (var k in _keys) yield return new KeyValuePair<string, object>(k, _values[k]);
        }
        IEnumerator IEnumerable.GetEnumerator() { return GetEnumerator(); }

        public override string ToString() { return Json.Write(this); }
    }

    public static class Json
    {
        public const int DefaultMaxDepth = 64;
        public const int DefaultMaxLength = 64 * 1024 * 1024;

        /// <summary>Parses one JSON value; throws JsonException (with the position) on anything else.</summary>
        public static object Parse(string text, int maxDepth = DefaultMaxDepth, int maxLength = DefaultMaxLength)
        {
            if (text == null) throw new JsonException("No JSON text (null).", -1);
            if (text.Length > maxLength)
                throw new JsonException("JSON text is " + text.Length + " characters, more than the limit of " + maxLength + ".", maxLength);
            var r = new Reader(text, maxDepth);
            r.SkipWs();
            var value = r.ReadValue(0);
            r.SkipWs();
            if (r.Pos < text.Length)
                throw new JsonException("Unexpected " + Describe(text, r.Pos) + " after the JSON value at position " + r.Pos + ".", r.Pos);
            return value;
        }

        /// <summary>Parses text that must be a JSON object.</summary>
        public static JsonObject ParseObject(string text, int maxDepth = DefaultMaxDepth, int maxLength = DefaultMaxLength)
        {
            var v = Parse(text, maxDepth, maxLength);
            var o = v as JsonObject;
            if (o == null) throw new JsonException("Expected a JSON object but got " + TypeName(v) + ".", 0);
            return o;
        }

        public static string TypeName(object v)
        {
            if (v == null) return "null";
            if (v is JsonObject) return "an object";
            if (v is List<object>) return "an array";
            if (v is string) return "a string";
            if (v is bool) return "a boolean";
            if (IsNumber(v)) return "a number";
            return v.GetType().Name;
        }

        internal static bool IsNumber(object v)
        {
            return v is double || v is int || v is long || v is float || v is decimal || v is short || v is byte || v is uint || v is ulong;
        }

        private static string Describe(string text, int pos)
        {
            if (pos >= text.Length) return "end of text";
            char c = text[pos];
            if (c < 0x20) return "control character U+" + ((int)c).ToString("X4");
            return "'" + c + "'";
        }

        private sealed class Reader
        {
            private readonly string _s;
            private readonly int _maxDepth;
            public int Pos;

            public Reader(string s, int maxDepth) { _s = s; _maxDepth = maxDepth; }

            public void SkipWs()
            {
                while (Pos < _s.Length)
                {
                    char c = _s[Pos];
                    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') Pos++;
                    else break;
                }
            }

            private JsonException Error(string what)
            {
                return new JsonException(what + " at position " + Pos + " (found " + Describe(_s, Pos) + ").", Pos);
            }

            public object ReadValue(int depth)
            {
                if (Pos >= _s.Length) throw Error("Expected a JSON value but the text ended");
                char c = _s[Pos];
                switch (c)
                {
                    case '{': return ReadObject(depth + 1);
                    case '[': return ReadArray(depth + 1);
                    case '"': return ReadString();
                    case 't': ReadWord("true"); return true;
                    case 'f': ReadWord("false"); return false;
                    case 'n': ReadWord("null"); return null;
                    default:
                        if (c == '-' || (c >= '0' && c <= '9')) return ReadNumber();
                        throw Error("Expected a JSON value");
                }
            }

            private void ReadWord(string word)
            {
                if (string.CompareOrdinal(_s, Pos, word, 0, word.Length) != 0 || Pos + word.Length > _s.Length)
                    throw Error("Expected '" + word + "'");
                Pos += word.Length;
            }

            private void CheckDepth(int depth)
            {
                if (depth > _maxDepth) throw Error("JSON nested deeper than " + _maxDepth + " levels");
            }

            private JsonObject ReadObject(int depth)
            {
                CheckDepth(depth);
                Pos++; // {
                var o = new JsonObject();
                SkipWs();
                if (Pos < _s.Length && _s[Pos] == '}') { Pos++; return o; }
                while (true)
                {
                    SkipWs();
                    if (Pos >= _s.Length || _s[Pos] != '"') throw Error("Expected a member name in double quotes");
                    int keyPos = Pos;
                    string key = ReadString();
                    SkipWs();
                    if (Pos >= _s.Length || _s[Pos] != ':') throw Error("Expected ':' after member name \"" + key + "\"");
                    Pos++;
                    SkipWs();
                    object v = ReadValue(depth);
                    if (o.Has(key)) throw new JsonException("Duplicate member name \"" + key + "\" at position " + keyPos + ".", keyPos);
                    o.Set(key, v);
                    SkipWs();
                    if (Pos >= _s.Length) throw Error("Expected ',' or '}' but the text ended");
                    char c = _s[Pos];
                    if (c == ',') { Pos++; continue; }
                    if (c == '}') { Pos++; return o; }
                    throw Error("Expected ',' or '}' in an object");
                }
            }

            private List<object> ReadArray(int depth)
            {
                CheckDepth(depth);
                Pos++; // [
                var list = new List<object>();
                SkipWs();
                if (Pos < _s.Length && _s[Pos] == ']') { Pos++; return list; }
                while (true)
                {
                    SkipWs();
                    list.Add(ReadValue(depth));
                    SkipWs();
                    if (Pos >= _s.Length) throw Error("Expected ',' or ']' but the text ended");
                    char c = _s[Pos];
                    if (c == ',') { Pos++; continue; }
                    if (c == ']') { Pos++; return list; }
                    throw Error("Expected ',' or ']' in an array");
                }
            }

            private string ReadString()
            {
                int start = Pos;
                Pos++; // opening quote
                StringBuilder sb = null;
                int runStart = Pos;
                while (true)
                {
                    if (Pos >= _s.Length)
                        throw new JsonException("Unterminated string starting at position " + start + ".", start);
                    char c = _s[Pos];
                    if (c == '"')
                    {
                        string result;
                        if (sb == null) result = _s.Substring(runStart, Pos - runStart);
                        else { sb.Append(_s, runStart, Pos - runStart); result = sb.ToString(); }
                        Pos++;
                        return result;
                    }
                    if (c < 0x20) throw Error("Unescaped control character in a string");
                    if (c == '\\')
                    {
                        if (sb == null) sb = new StringBuilder();
                        sb.Append(_s, runStart, Pos - runStart);
                        Pos++;
                        if (Pos >= _s.Length) throw Error("Unterminated escape in a string");
                        char e = _s[Pos];
                        switch (e)
                        {
                            case '"': sb.Append('"'); Pos++; break;
                            case '\\': sb.Append('\\'); Pos++; break;
                            case '/': sb.Append('/'); Pos++; break;
                            case 'b': sb.Append('\b'); Pos++; break;
                            case 'f': sb.Append('\f'); Pos++; break;
                            case 'n': sb.Append('\n'); Pos++; break;
                            case 'r': sb.Append('\r'); Pos++; break;
                            case 't': sb.Append('\t'); Pos++; break;
                            case 'u':
                                Pos++;
                                sb.Append(ReadHex4());
                                break;
                            default:
                                throw Error("Invalid escape '\\" + e + "' in a string");
                        }
                        runStart = Pos;
                        continue;
                    }
                    Pos++;
                }
            }

            private char ReadHex4()
            {
                if (Pos + 4 > _s.Length) throw Error("Expected four hex digits after \\u");
                int v = 0;
                for (int i = 0; i < 4; i++)
                {
                    char h = _s[Pos + i];
                    int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
                    if (d < 0) { Pos += i; throw Error("Expected a hex digit in a \\u escape"); }
                    v = v * 16 + d;
                }
                Pos += 4;
                // Surrogates pass through as UTF-16 code units: a \uD83D\uDE00 pair becomes one
                // character in .NET's UTF-16 string, exactly as the sender meant it.
                return (char)v;
            }

            private double ReadNumber()
            {
                int start = Pos;
                if (_s[Pos] == '-') Pos++;
                if (Pos >= _s.Length) throw Error("Expected a digit after '-'");
                if (_s[Pos] == '0')
                {
                    Pos++;
                    if (Pos < _s.Length && _s[Pos] >= '0' && _s[Pos] <= '9') throw Error("Leading zeros are not allowed in a number");
                }
                else if (_s[Pos] >= '1' && _s[Pos] <= '9')
                {
                    while (Pos < _s.Length && _s[Pos] >= '0' && _s[Pos] <= '9') Pos++;
                }
                else throw Error("Expected a digit in a number");
                if (Pos < _s.Length && _s[Pos] == '.')
                {
                    Pos++;
                    if (Pos >= _s.Length || _s[Pos] < '0' || _s[Pos] > '9') throw Error("Expected a digit after the decimal point");
                    while (Pos < _s.Length && _s[Pos] >= '0' && _s[Pos] <= '9') Pos++;
                }
                if (Pos < _s.Length && (_s[Pos] == 'e' || _s[Pos] == 'E'))
                {
                    Pos++;
                    if (Pos < _s.Length && (_s[Pos] == '+' || _s[Pos] == '-')) Pos++;
                    if (Pos >= _s.Length || _s[Pos] < '0' || _s[Pos] > '9') throw Error("Expected a digit in the exponent");
                    while (Pos < _s.Length && _s[Pos] >= '0' && _s[Pos] <= '9') Pos++;
                }
                double d;
                var text = _s.Substring(start, Pos - start);
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out d) || double.IsInfinity(d) || double.IsNaN(d))
                    throw new JsonException("Number " + text + " at position " + start + " is out of range.", start);
                return d;
            }
        }

        // ---- writer ----

        public static string Write(object value)
        {
            var sb = new StringBuilder(256);
            WriteValue(sb, value, 0);
            return sb.ToString();
        }

        private static void WriteValue(StringBuilder sb, object v, int depth)
        {
            if (depth > 256) throw new JsonException("Refusing to write JSON nested deeper than 256 levels (a cycle?).", -1);
            if (v == null) { sb.Append("null"); return; }
            var s = v as string;
            if (s != null) { WriteString(sb, s); return; }
            if (v is bool) { sb.Append((bool)v ? "true" : "false"); return; }
            if (v is double) { WriteDouble(sb, (double)v); return; }
            if (v is float) { WriteDouble(sb, (float)v); return; }
            if (v is int) { sb.Append(((int)v).ToString(CultureInfo.InvariantCulture)); return; }
            if (v is long) { sb.Append(((long)v).ToString(CultureInfo.InvariantCulture)); return; }
            if (v is decimal) { sb.Append(((decimal)v).ToString(CultureInfo.InvariantCulture)); return; }
            if (v is DateTime) { WriteString(sb, IsoTime((DateTime)v)); return; }
            if (v is char) { WriteString(sb, v.ToString()); return; }
            var o = v as JsonObject;
            if (o != null)
            {
                sb.Append('{');
                bool first = true;
                foreach (var kv in o)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    WriteString(sb, kv.Key);
                    sb.Append(':');
                    WriteValue(sb, kv.Value, depth + 1);
                }
                sb.Append('}');
                return;
            }
            var dict = v as IDictionary<string, double>;
            if (dict != null)
            {
                sb.Append('{');
                bool first = true;
                foreach (var kv in dict)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    WriteString(sb, kv.Key);
                    sb.Append(':');
                    WriteDouble(sb, kv.Value);
                }
                sb.Append('}');
                return;
            }
            var list = v as IEnumerable;
            if (list != null)
            {
                sb.Append('[');
                bool first = true;
                foreach (var item in list)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    WriteValue(sb, item, depth + 1);
                }
                sb.Append(']');
                return;
            }
            if (v is uint || v is ulong || v is short || v is ushort || v is byte || v is sbyte)
            {
                sb.Append(Convert.ToString(v, CultureInfo.InvariantCulture));
                return;
            }
            throw new JsonException("Cannot write a " + v.GetType().FullName + " as JSON.", -1);
        }

        private static void WriteDouble(StringBuilder sb, double d)
        {
            if (double.IsNaN(d) || double.IsInfinity(d)) { sb.Append("null"); return; }
            if (d == Math.Floor(d) && Math.Abs(d) < 1e15) { sb.Append(((long)d).ToString(CultureInfo.InvariantCulture)); return; }
            sb.Append(d.ToString("R", CultureInfo.InvariantCulture));
        }

        public static void WriteString(StringBuilder sb, string s)
        {
            sb.Append('"');
            int run = 0;
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                string esc = null;
                switch (c)
                {
                    case '"': esc = "\\\""; break;
                    case '\\': esc = "\\\\"; break;
                    case '\n': esc = "\\n"; break;
                    case '\r': esc = "\\r"; break;
                    case '\t': esc = "\\t"; break;
                    case '\b': esc = "\\b"; break;
                    case '\f': esc = "\\f"; break;
                    default:
                        // Control characters, and U+2028/2029 (valid JSON, but they break JavaScript
                        // source if anyone pastes a message), and lone surrogates, which have no UTF-8
                        // encoding: escape them so the frame stays valid UTF-8.
                        if (c < 0x20 || c == '\u2028' || c == '\u2029' || c == '\u007f') esc = "\\u" + ((int)c).ToString("x4");
                        else if (char.IsHighSurrogate(c))
                        {
                            if (i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
                            esc = "\\u" + ((int)c).ToString("x4");
                        }
                        else if (char.IsLowSurrogate(c)) esc = "\\u" + ((int)c).ToString("x4");
                        break;
                }
                if (esc != null)
                {
                    sb.Append(s, run, i - run);
                    sb.Append(esc);
                    run = i + 1;
                }
            }
            sb.Append(s, run, s.Length - run);
            sb.Append('"');
        }

        /// <summary>ISO-8601 UTC with milliseconds, as the companion writes times ("2026-11-02T15:00:00.000Z").</summary>
        public static string IsoTime(DateTime t)
        {
            if (t.Kind == DateTimeKind.Local) t = t.ToUniversalTime();
            return t.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        }

        private static readonly System.Text.RegularExpressions.Regex IsoShape = new System.Text.RegularExpressions.Regex(
            @"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?)?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        /// <summary>Parses an ISO-8601 time (date, or date and time; no zone = UTC) to UTC; false when the text is not one.</summary>
        public static bool TryParseIsoTime(string s, out DateTime utc)
        {
            utc = default(DateTime);
            if (string.IsNullOrEmpty(s) || s.Length > 64 || !IsoShape.IsMatch(s)) return false;
            DateTime t;
            if (!DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out t))
                return false;
            utc = DateTime.SpecifyKind(t, DateTimeKind.Utc);
            return true;
        }
    }
}
