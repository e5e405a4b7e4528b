// The add-on protocol's messages (docs/addon-protocol.md, protocol 1.1), encoded to and decoded from
// the JSON text of one WebSocket frame. Envelope: { "v": 1, "type": "…", … }. Entities (accounts,
// orders, …) travel as JsonObject here; the Gateway layer builds them from its model, so this layer
// knows no NinjaTrader and no Gateway types. Decoding ignores unknown members (a newer companion may
// add optional fields) and keeps unknown enum-like text as is.
// C# 7.2 / .NET Framework 4.8.
using System;
using System.Collections.Generic;
using System.Globalization;

namespace NTMcpCompanion.Protocol
{
    public static class ProtocolVersion
    {
        public const int Major = 1;
        public const int Minor = 1;
    }

    /// <summary>A message or a field that breaks the protocol; Code is a protocol error code.</summary>
    public sealed class ProtocolException : Exception
    {
        public readonly string Code;
        public ProtocolException(string code, string message) : base(message) { Code = code; }
    }

    public abstract class Message
    {
        public abstract string Type { get; }
        /// <summary>The members after v and type.</summary>
        protected abstract void WriteBody(JsonObject o);

        public JsonObject ToJson()
        {
            var o = new JsonObject().Set("v", ProtocolVersion.Major).Set("type", Type);
            WriteBody(o);
            return o;
        }

        public string Encode() { return Json.Write(ToJson()); }

        /// <summary>Decodes one frame. Throws JsonException for text that is not JSON and ProtocolException
        /// for JSON that is not a protocol message (with a sentence saying which member is wrong).</summary>
        public static Message Decode(string text, int maxLength = Json.DefaultMaxLength)
        {
            var o = Json.ParseObject(text, Json.DefaultMaxDepth, maxLength);
            var r = new Fields(o, "message");
            var v = r.Number("v");
            if (v != Math.Floor(v)) throw new ProtocolException("invalid_message", "Message member v must be a whole number; got " + v.ToString(CultureInfo.InvariantCulture) + ".");
            if ((int)v != ProtocolVersion.Major)
                throw new ProtocolException("unsupported_version", "This add-on speaks protocol " + ProtocolVersion.Major + ".x; the message is version " + v.ToString(CultureInfo.InvariantCulture) + ".");
            var type = r.String("type");
            switch (type)
            {
                case "hello": return HelloMessage.FromJson(r);
                case "welcome": return new WelcomeMessage { ProtocolVersion = (int)r.OptInt("protocolVersion", 1), ProtocolMinor = (int)r.OptInt("protocolMinor", 0) };
                case "refused": return new RefusedMessage { Reason = r.String("reason"), Text = r.OptString("message") ?? "" };
                case "ping": return new PingMessage();
                case "pong": return new PongMessage();
                case "heartbeat": return new HeartbeatMessage();
                case "request":
                    return new RequestMessage { Id = r.String("id"), Method = r.String("method"), Params = r.OptObject("params") ?? new JsonObject() };
                case "response":
                    {
                        var m = new ResponseMessage { Id = r.String("id"), Ok = r.Bool("ok") };
                        if (m.Ok) m.Result = r.OptObject("result");
                        else
                        {
                            var e = r.Object("error");
                            m.ErrorCode = e.String("code");
                            m.ErrorMessage = e.String("message");
                        }
                        return m;
                    }
                case "event":
                    {
                        var ev = r.Object("event");
                        return new EventMessage { Seq = r.Long("seq"), Kind = ev.String("kind"), Event = ev.Raw };
                    }
                case "snapshot":
                    {
                        var s = new SnapshotMessage { Id = r.OptString("id"), Seq = r.Long("seq") };
                        s.Accounts = r.ObjectList("accounts");
                        s.Positions = r.ObjectList("positions");
                        s.Orders = r.ObjectList("orders");
                        s.Executions = r.ObjectList("executions");
                        s.Quotes = r.ObjectList("quotes");
                        s.Connections = r.Raw.Has("connections") ? r.ObjectList("connections") : null;
                        return s;
                    }
                default:
                    return new UnknownMessage(type, o);
            }
        }
    }

    // ---- add-on → companion ----

    public sealed class HelloMessage : Message
    {
        public override string Type { get { return "hello"; } }
        public string AddonVersion;
        public string Nt8Version;
        public bool Simulated;
        public List<string> Capabilities = new List<string>();
        public int ProtocolMinor = ProtocolVersion.Minor;

        protected override void WriteBody(JsonObject o)
        {
            o.Set("addonVersion", AddonVersion).Set("nt8Version", Nt8Version).Set("simulated", Simulated)
             .Set("capabilities", Capabilities).Set("protocolMinor", ProtocolMinor);
        }

        internal static HelloMessage FromJson(Fields r)
        {
            var h = new HelloMessage
            {
                AddonVersion = r.String("addonVersion"),
                Nt8Version = r.String("nt8Version"),
                Simulated = r.Bool("simulated"),
                ProtocolMinor = (int)r.OptInt("protocolMinor", 0),
                Capabilities = new List<string>(),
            };
            foreach (var c in r.List("capabilities"))
            {
                var s = c as string;
                if (s == null) throw new ProtocolException("invalid_message", "hello.capabilities must hold strings only.");
                h.Capabilities.Add(s);
            }
            return h;
        }
    }

    public sealed class SnapshotMessage : Message
    {
        public override string Type { get { return "snapshot"; } }
        /// <summary>The id of the snapshot request answered; null for an unsolicited snapshot.</summary>
        public string Id;
        /// <summary>The seq of the last event already reflected in this snapshot.</summary>
        public long Seq;
        public List<JsonObject> Accounts = new List<JsonObject>();
        public List<JsonObject> Connections = new List<JsonObject>();
        public List<JsonObject> Positions = new List<JsonObject>();
        public List<JsonObject> Orders = new List<JsonObject>();
        public List<JsonObject> Executions = new List<JsonObject>();
        public List<JsonObject> Quotes = new List<JsonObject>();

        protected override void WriteBody(JsonObject o)
        {
            o.SetIfNotNull("id", Id).Set("seq", Seq).Set("accounts", Accounts);
            if (Connections != null) o.Set("connections", Connections);
            o.Set("positions", Positions).Set("orders", Orders).Set("executions", Executions).Set("quotes", Quotes);
        }
    }

    public sealed class EventMessage : Message
    {
        public override string Type { get { return "event"; } }
        public long Seq;
        /// <summary>account, order, position, execution, quote, connection (others pass through).</summary>
        public string Kind;
        /// <summary>The whole event object, kind included: { "kind": "order", "order": {…} }.</summary>
        public JsonObject Event;

        public static EventMessage Of(long seq, string kind, string payloadName, JsonObject payload)
        {
            return new EventMessage { Seq = seq, Kind = kind, Event = new JsonObject().Set("kind", kind).Set(payloadName, payload) };
        }

        protected override void WriteBody(JsonObject o) { o.Set("seq", Seq).Set("event", Event); }
    }

    public sealed class ResponseMessage : Message
    {
        public override string Type { get { return "response"; } }
        public string Id;
        public bool Ok;
        public JsonObject Result;
        public string ErrorCode;
        public string ErrorMessage;

        public static ResponseMessage Success(string id, JsonObject result) { return new ResponseMessage { Id = id, Ok = true, Result = result ?? new JsonObject() }; }
        public static ResponseMessage Failure(string id, string code, string message) { return new ResponseMessage { Id = id, Ok = false, ErrorCode = code, ErrorMessage = Truncate(message, 2000) }; }

        private static string Truncate(string s, int max) { return s == null ? "" : s.Length <= max ? s : s.Substring(0, max - 1) + "…"; }

        protected override void WriteBody(JsonObject o)
        {
            o.Set("id", Id).Set("ok", Ok);
            if (Ok) o.Set("result", Result ?? new JsonObject());
            else o.Set("error", new JsonObject().Set("code", ErrorCode).Set("message", ErrorMessage ?? ""));
        }
    }

    public sealed class PongMessage : Message
    {
        public override string Type { get { return "pong"; } }
        protected override void WriteBody(JsonObject o) { }
    }

    public sealed class HeartbeatMessage : Message
    {
        public override string Type { get { return "heartbeat"; } }
        protected override void WriteBody(JsonObject o) { }
    }

    // ---- companion → add-on ----

    public sealed class WelcomeMessage : Message
    {
        public override string Type { get { return "welcome"; } }
        public int ProtocolVersion = NTMcpCompanion.Protocol.ProtocolVersion.Major;
        /// <summary>The negotiated minor (0 from a 1.0 companion, which does not send it).</summary>
        public int ProtocolMinor;
        protected override void WriteBody(JsonObject o) { o.Set("protocolVersion", ProtocolVersion).Set("protocolMinor", ProtocolMinor); }
    }

    public sealed class RefusedMessage : Message
    {
        public override string Type { get { return "refused"; } }
        /// <summary>unsupported_version, already_connected, hello_expected, invalid_hello, hello_timeout, shutting_down (or newer).</summary>
        public string Reason;
        public string Text;
        protected override void WriteBody(JsonObject o) { o.Set("reason", Reason).Set("message", Text ?? ""); }

        /// <summary>Refusals after which the add-on must not dial again by itself (until the pairing file
        /// changes or the user presses Reconnect).</summary>
        public bool IsPermanent
        {
            get { return Reason == "unsupported_version" || Reason == "invalid_hello" || Reason == "hello_expected"; }
        }
    }

    public sealed class PingMessage : Message
    {
        public override string Type { get { return "ping"; } }
        protected override void WriteBody(JsonObject o) { }
    }

    public sealed class RequestMessage : Message
    {
        public override string Type { get { return "request"; } }
        public string Id;
        /// <summary>placeOrder, changeOrder, cancelOrder, cancelAllOrders, flatten, flattenEverything,
        /// reversePosition, getBars, subscribeQuotes, unsubscribeQuotes, snapshot.</summary>
        public string Method;
        public JsonObject Params = new JsonObject();
        protected override void WriteBody(JsonObject o) { o.Set("id", Id).Set("method", Method).Set("params", Params); }
    }

    /// <summary>A message type this add-on does not know (a newer companion): ignored by the receiver.</summary>
    public sealed class UnknownMessage : Message
    {
        private readonly string _type;
        public readonly JsonObject Raw;
        public UnknownMessage(string type, JsonObject raw) { _type = type; Raw = raw; }
        public override string Type { get { return _type; } }
        protected override void WriteBody(JsonObject o)
        {
            foreach (var kv in Raw) if (kv.Key != "v" && kv.Key != "type") o.Set(kv.Key, kv.Value);
        }
    }

    /// <summary>Typed access to a JSON object's members with errors that name the member
    /// ("placeOrder.quantity: expected a number, got a string"). Missing optional members and
    /// explicit nulls both read as "absent".</summary>
    public sealed class Fields
    {
        public readonly JsonObject Raw;
        private readonly string _where;

        public Fields(JsonObject raw, string where) { Raw = raw ?? new JsonObject(); _where = where; }

        private ProtocolException Bad(string name, string expected, object got)
        {
            return new ProtocolException("invalid_request", _where + "." + name + ": expected " + expected + ", got " + (got == null && !Raw.Has(name) ? "nothing" : Json.TypeName(got)) + ".");
        }

        public bool Present(string name) { return Raw[name] != null; }

        public string String(string name)
        {
            var s = Raw[name] as string;
            if (s == null) throw Bad(name, "a string", Raw[name]);
            return s;
        }

        public string OptString(string name)
        {
            var v = Raw[name];
            if (v == null) return null;
            var s = v as string;
            if (s == null) throw Bad(name, "a string", v);
            return s;
        }

        public double Number(string name)
        {
            var v = Raw[name];
            if (!Json.IsNumber(v)) throw Bad(name, "a number", v);
            return Convert.ToDouble(v, CultureInfo.InvariantCulture);
        }

        public double? OptNumber(string name)
        {
            var v = Raw[name];
            if (v == null) return null;
            if (!Json.IsNumber(v)) throw Bad(name, "a number", v);
            return Convert.ToDouble(v, CultureInfo.InvariantCulture);
        }

        public long Long(string name)
        {
            var d = Number(name);
            if (d != Math.Floor(d) || Math.Abs(d) > 9007199254740991d) throw Bad(name, "a whole number", Raw[name]);
            return (long)d;
        }

        public long OptInt(string name, long fallback)
        {
            if (Raw[name] == null) return fallback;
            return Long(name);
        }

        public bool Bool(string name)
        {
            var v = Raw[name];
            if (!(v is bool)) throw Bad(name, "true or false", v);
            return (bool)v;
        }

        public Fields Object(string name)
        {
            var o = Raw[name] as JsonObject;
            if (o == null) throw Bad(name, "an object", Raw[name]);
            return new Fields(o, _where + "." + name);
        }

        public JsonObject OptObject(string name)
        {
            var v = Raw[name];
            if (v == null) return null;
            var o = v as JsonObject;
            if (o == null) throw Bad(name, "an object", v);
            return o;
        }

        public List<object> List(string name)
        {
            var l = Raw[name] as List<object>;
            if (l == null) throw Bad(name, "an array", Raw[name]);
            return l;
        }

        public List<JsonObject> ObjectList(string name)
        {
            var result = new List<JsonObject>();
            int i = 0;
            foreach (var item in List(name))
            {
                var o = item as JsonObject;
                if (o == null) throw new ProtocolException("invalid_request", _where + "." + name + "[" + i + "]: expected an object, got " + Json.TypeName(item) + ".");
                result.Add(o);
                i++;
            }
            return result;
        }

        public List<string> StringList(string name)
        {
            var result = new List<string>();
            int i = 0;
            foreach (var item in List(name))
            {
                var s = item as string;
                if (s == null) throw new ProtocolException("invalid_request", _where + "." + name + "[" + i + "]: expected a string, got " + Json.TypeName(item) + ".");
                result.Add(s);
                i++;
            }
            return result;
        }

        public DateTime? OptTime(string name)
        {
            var s = OptString(name);
            if (s == null) return null;
            DateTime t;
            if (!Json.TryParseIsoTime(s, out t)) throw new ProtocolException("invalid_request", _where + "." + name + ": expected an ISO-8601 time such as 2026-11-02T15:00:00Z, got \"" + s + "\".");
            return t;
        }
    }
}
