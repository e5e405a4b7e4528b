// The JSON reader/writer: what goes in comes back out, hostile or broken text is refused with a
// sentence that names the position, and nothing the writer produces is invalid JSON.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using NTMcpCompanion.Protocol;

namespace NTMcpCompanion.Tests
{
    public static class JsonTests
    {
        public static void TestRoundTripOfEveryValueKind()
        {
            var text = "{\"s\":\"hi\",\"n\":-12.5,\"i\":42,\"e\":0.00025,\"t\":true,\"f\":false,\"z\":null,\"a\":[1,\"x\",[],{}],\"o\":{\"k\":[null]}}";
            var o = Json.ParseObject(text);
            Assert.Equal("hi", (string)o["s"]);
            Assert.Equal(-12.5, (double)o["n"]);
            Assert.Equal(42.0, (double)o["i"]);
            Assert.Equal(0.00025, (double)o["e"]);
            Assert.Equal(true, (bool)o["t"]);
            Assert.True(o.Has("z") && o["z"] == null, "explicit null is present and null");
            Assert.True(!o.Has("missing"), "absent member is absent");
            Assert.Equal(4, ((List<object>)o["a"]).Count);
            Assert.Equal(text, Json.Write(o), "writing it again gives the same text (order kept)");
        }

        public static void TestNumbersUseTheInvariantCultureWhateverTheMachineCulture()
        {
            var saved = Thread.CurrentThread.CurrentCulture;
            try
            {
                Thread.CurrentThread.CurrentCulture = new CultureInfo("de-DE"); // decimal comma
                Assert.Equal("{\"p\":5000.25,\"q\":-0.1}", Json.Write(new JsonObject().Set("p", 5000.25).Set("q", -0.1)));
                Assert.Equal(5000.25, (double)Json.ParseObject("{\"p\":5000.25}")["p"]);
                Assert.Equal("\"2026-11-02T15:00:00.000Z\"", Json.Write(new DateTime(2026, 11, 2, 15, 0, 0, DateTimeKind.Utc)));
            }
            finally { Thread.CurrentThread.CurrentCulture = saved; }
        }

        public static void TestDoublesRoundTripExactly()
        {
            foreach (var d in new[] { 1.5e-7, 0.1, 1.0 / 3, 6000.25, 1e300, -2.5e-300, 123456789.123, 9007199254740993.0 })
            {
                var back = (double)Json.Parse(Json.Write(d));
                Assert.Equal(d, back, "round trip of " + d.ToString("R", CultureInfo.InvariantCulture));
            }
        }

        public static void TestWriterNeverEmitsNaNOrInfinity()
        {
            var text = Json.Write(new JsonObject().Set("a", double.NaN).Set("b", double.PositiveInfinity).Set("c", double.NegativeInfinity).Set("d", float.NaN));
            Assert.Equal("{\"a\":null,\"b\":null,\"c\":null,\"d\":null}", text);
            Json.Parse(text); // and it is valid JSON
        }

        public static void TestEscapesAreDecoded()
        {
            var s = (string)Json.Parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u0041\\u00e9\\u20AC\"");
            Assert.Equal("q\" b\\ s/ \b\f\n\r\t Aé€", s);
        }

        public static void TestWriterEscapesControlCharactersQuotesAndBackslashes()
        {
            var raw = "a\"b\\c\n\r\t\b\f\u0000\u0001\u001f\u007f\u2028end";
            var text = Json.Write(raw);
            foreach (char c in text) Assert.True(c >= 0x20 && c != 0x7f && c != '\u2028', "no raw control character in " + text);
            Assert.Equal("\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0000\\u0001\\u001f\\u007f\\u2028end\"", text);
            Assert.Equal(raw, (string)Json.Parse(text), "and it reads back as the same string");
        }

        public static void TestSurrogatePairsSurviveBothWays()
        {
            var emoji = "\uD83D\uDE00"; // 😀 U+1F600
            Assert.Equal(emoji, (string)Json.Parse("\"\\uD83D\\uDE00\""), "escaped pair");
            Assert.Equal(emoji, (string)Json.Parse("\"" + emoji + "\""), "raw pair");
            Assert.Equal("\"" + emoji + "\"", Json.Write(emoji), "a valid pair is written as is (valid UTF-8)");
            var utf8 = Encoding.UTF8.GetBytes(Json.Write(emoji));
            Assert.Equal(6, utf8.Length, "quotes + 4 UTF-8 bytes");
        }

        public static void TestLoneSurrogatesAreEscapedSoTheFrameStaysValidUtf8()
        {
            var text = Json.Write("x\uD83Dy\uDE00");
            Assert.Equal("\"x\\ud83dy\\ude00\"", text);
            Assert.Equal("x\uD83Dy\uDE00", (string)Json.Parse(text));
        }

        public static void TestDeepNestingIsRejectedWithTheLimitNamed()
        {
            var deep = new string('[', 65) + new string(']', 65);
            var e = Assert.Throws<JsonException>(() => Json.Parse(deep), "65 levels");
            Assert.Contains("deeper than 64", e.Message);
            Assert.Equal(64, e.Position, "position of the 65th bracket");
            Json.Parse(new string('[', 64) + new string(']', 64)); // 64 is fine
            var objects = new StringBuilder();
            for (int i = 0; i < 100; i++) objects.Append("{\"a\":");
            Assert.Throws<JsonException>(() => Json.Parse(objects.ToString()), "deep objects");
            // A very deep input must not blow the stack either.
            Assert.Throws<JsonException>(() => Json.Parse(new string('[', 1000000)), "a million brackets");
        }

        public static void TestOversizedTextIsRejectedBeforeParsing()
        {
            var big = "\"" + new string('a', 2000) + "\"";
            var e = Assert.Throws<JsonException>(() => Json.Parse(big, 64, 1000), "over the size cap");
            Assert.Contains("more than the limit of 1000", e.Message);
        }

        private static void Malformed(string text, string expectInMessage, int expectPosition)
        {
            var e = Assert.Throws<JsonException>(() => Json.Parse(text), "malformed: " + text);
            Assert.Contains(expectInMessage, e.Message, "message for " + text);
            Assert.Contains("position", e.Message, "the message names the position for " + text);
            if (expectPosition >= 0) Assert.Equal(expectPosition, e.Position, "position for " + text);
        }

        public static void TestTruncatedInputsAreRefusedWithTheirPosition()
        {
            Malformed("", "text ended", 0);
            Malformed("{", "member name", 1);
            Malformed("{\"a\"", "':'", 4);
            Malformed("{\"a\":", "text ended", 5);
            Malformed("{\"a\":1", "text ended", 6);
            Malformed("[1,2", "text ended", 4);
            Malformed("\"abc", "Unterminated string", 0);
            Malformed("\"ab\\", "Unterminated escape", 4);
            Malformed("\"\\u12", "four hex digits", 3);
            Malformed("tru", "'true'", 0);
        }

        public static void TestTrailingGarbageIsRefused()
        {
            Malformed("{} x", "after the JSON value", 3);
            Malformed("{}{}", "after the JSON value", 2);
            Malformed("1 2", "after the JSON value", 2);
            Malformed("[1,]", "Expected a JSON value", 3);
            Malformed("{\"a\":1,}", "member name", 7);
        }

        public static void TestBadNumbersAreRefused()
        {
            Malformed("01", "Leading zeros", 1);
            Malformed("1.", "after the decimal point", 2);
            Malformed("-", "digit after '-'", 1);
            Malformed("1e", "exponent", 2);
            Malformed("1e+", "exponent", 3);
            Malformed(".5", "Expected a JSON value", 0);
            Malformed("+1", "Expected a JSON value", 0);
            Malformed("NaN", "Expected a JSON value", 0);
            Malformed("Infinity", "Expected a JSON value", 0);
            Malformed("-Infinity", "Expected a digit", 1);
            Malformed("0x10", "after the JSON value", 1);
            var e = Assert.Throws<JsonException>(() => Json.Parse("1e400"), "overflow");
            Assert.Contains("out of range", e.Message);
        }

        public static void TestOtherMalformedInputs()
        {
            Malformed("{'a':1}", "member name", 1);
            Malformed("{a:1}", "member name", 1);
            Malformed("\"tab\there\"", "control character", 4);
            Malformed("\"\\x\"", "Invalid escape", 2);
            Malformed("[1 2]", "',' or ']'", 3);
            Malformed("{\"a\" 1}", "':'", 5);
            var dup = Assert.Throws<JsonException>(() => Json.Parse("{\"a\":1,\"a\":2}"), "duplicate member");
            Assert.Contains("Duplicate member name \"a\"", dup.Message);
            Assert.Throws<JsonException>(() => Json.ParseObject("[1]"), "an array where an object is needed");
            Assert.Throws<JsonException>(() => Json.Parse(null), "null text");
        }

        public static void TestIsoTimesAreStrict()
        {
            DateTime t;
            Assert.True(Json.TryParseIsoTime("2026-11-02T15:00:00.000Z", out t) && t == new DateTime(2026, 11, 2, 15, 0, 0, DateTimeKind.Utc) && t.Kind == DateTimeKind.Utc, "Z time");
            Assert.True(Json.TryParseIsoTime("2026-11-02T10:00:00-05:00", out t) && t == new DateTime(2026, 11, 2, 15, 0, 0, DateTimeKind.Utc), "offset time converted to UTC");
            Assert.True(Json.TryParseIsoTime("2026-11-02", out t) && t == new DateTime(2026, 11, 2, 0, 0, 0, DateTimeKind.Utc), "a date");
            foreach (var bad in new[] { "11/02/2026", "yesterday", "2026-13-02", "2026-11-02 15:00", "2026-11-02T15:00:00Zjunk", "" })
                Assert.True(!Json.TryParseIsoTime(bad, out t), "not ISO: " + bad);
        }

        public static void TestWhitespaceAroundValuesIsAllowed()
        {
            var o = Json.ParseObject(" \t\r\n{ \"a\" : [ 1 , 2 ] }\n ");
            Assert.Equal(2, ((List<object>)o["a"]).Count);
        }
    }
}
