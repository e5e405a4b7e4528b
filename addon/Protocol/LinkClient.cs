// The connection loop: dials the companion named in the pairing file over a WebSocket with
// `Authorization: Bearer <secret>`, sends hello, waits for welcome or refused, answers ping with
// pong, sends a heartbeat when it has been quiet, drops the connection after 30 s without any
// message from the companion, and reconnects with capped exponential backoff and jitter,
// re-reading the pairing file before every dial. All sends of one connection go through one queue
// drained by one sender, so messages leave in the order they were queued (events before the
// response they belong to).
// What is retried (SPEC 1.1): a lost connection and already_connected, with backoff. A wrong
// secret (HTTP 401 on the upgrade) and unsupported_version / invalid_hello / hello_expected are not:
// the link waits until the pairing file changes or Reconnect() is called.
// No NinjaTrader and no Gateway types here. C# 7.2 / .NET Framework 4.8.
using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace NTMcpCompanion.Protocol
{
    public enum LinkStatus { Stopped, WaitingForPairing, Connecting, Connected, Refused, Disconnected }

    /// <summary>What the link asks of the layer above it. Called on the link's threads.</summary>
    public interface ILinkHandler
    {
        HelloMessage CreateHello();
        /// <summary>The companion accepted us; requests follow (first a snapshot request).</summary>
        void OnWelcome(WelcomeMessage welcome);
        void OnRequest(RequestMessage request);
        /// <summary>The welcomed connection ended (any reason).</summary>
        void OnDisconnected();
    }

    public sealed class LinkOptions
    {
        public string PairingFilePath;
        public TimeSpan SilenceLimit = TimeSpan.FromSeconds(30);
        public TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(10);
        public TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
        public TimeSpan PairingPoll = TimeSpan.FromSeconds(2);
        public int MaxMessageBytes = Json.DefaultMaxLength;
        public Backoff Backoff = Backoff.Default();
    }

    public sealed class LinkClient : IDisposable
    {
        private enum Outcome { Retry, WaitForPairingChange, Stopped }

        private readonly ILinkHandler _handler;
        private readonly LinkOptions _options;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly SemaphoreSlim _wake = new SemaphoreSlim(0, int.MaxValue);
        private readonly object _lock = new object();
        private PairingWatcher _watcher;
        private Task _loop;
        private Connection _current;
        private volatile bool _reconnectRequested;
        private LinkStatus _status = LinkStatus.Stopped;
        private string _detail = "Not started.";
        private string _url;

        public event Action StatusChanged;
        /// <summary>(message, isError). Never contains the secret.</summary>
        public event Action<string, bool> Log;

        public LinkClient(ILinkHandler handler, LinkOptions options)
        {
            if (handler == null) throw new ArgumentNullException("handler");
            if (options == null || string.IsNullOrEmpty(options.PairingFilePath)) throw new ArgumentException("LinkOptions.PairingFilePath is required.");
            _handler = handler;
            _options = options;
        }

        public LinkStatus Status { get { lock (_lock) return _status; } }
        public string Detail { get { lock (_lock) return _detail; } }
        public string CompanionUrl { get { lock (_lock) return _url; } }
        /// <summary>The minor protocol version the companion agreed to (valid while Connected).</summary>
        public int NegotiatedMinor { get; private set; }

        public void Start()
        {
            lock (_lock)
            {
                if (_loop != null) return;
                _watcher = new PairingWatcher(_options.PairingFilePath, _options.PairingPoll);
                _watcher.Changed += () =>
                {
                    Emit("The pairing file changed; reading it again.", false);
                    _wake.Release();
                };
                _loop = Task.Run(() => Loop());
            }
        }

        /// <summary>Drop the connection (if any) and dial again now, re-reading the pairing file.</summary>
        public void Reconnect()
        {
            _reconnectRequested = true;
            Connection c;
            lock (_lock) c = _current;
            if (c != null) c.Abort("Reconnect requested.");
            _wake.Release();
        }

        /// <summary>Queues a message on the current connection. False (and nothing sent) when there is none.</summary>
        public bool Send(Message message)
        {
            Connection c;
            lock (_lock) c = _current;
            if (c == null || !c.Welcomed) return false;
            return c.Enqueue(message);
        }

        public void Dispose()
        {
            if (_stop.IsCancellationRequested) return;
            _stop.Cancel();
            Connection c;
            lock (_lock) c = _current;
            if (c != null) c.Close();
            if (_watcher != null) _watcher.Dispose();
            try { if (_loop != null) _loop.Wait(TimeSpan.FromSeconds(3)); } catch (Exception) { }
            SetStatus(LinkStatus.Stopped, "Stopped.");
        }

        private void Emit(string message, bool isError)
        {
            var h = Log;
            if (h != null) { try { h(message, isError); } catch (Exception) { } }
        }

        private void SetStatus(LinkStatus status, string detail)
        {
            bool changed;
            lock (_lock)
            {
                changed = status != _status || detail != _detail;
                _status = status;
                _detail = detail;
            }
            if (!changed) return;
            var h = StatusChanged;
            if (h != null) { try { h(); } catch (Exception) { } }
        }

        private async Task Wait(TimeSpan? timeout)
        {
            try
            {
                if (timeout.HasValue) await _wake.WaitAsync(timeout.Value, _stop.Token).ConfigureAwait(false);
                else await _wake.WaitAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { }
        }

        private async Task Loop()
        {
            string blockedSignature = null; // pairing content we must not dial again until it changes
            string lastPairingError = null;
            while (!_stop.IsCancellationRequested)
            {
                // Drain wake-ups that happened before this read: the read below sees their cause.
                while (_wake.CurrentCount > 0) _wake.Wait(0);
                if (_reconnectRequested) { _reconnectRequested = false; blockedSignature = null; _options.Backoff.Reset(); }

                string error;
                var pairing = PairingFile.TryRead(_options.PairingFilePath, out error);
                if (pairing == null)
                {
                    if (error != lastPairingError) Emit(error, !error.StartsWith("Waiting", StringComparison.Ordinal));
                    lastPairingError = error;
                    SetStatus(LinkStatus.WaitingForPairing, error);
                    await Wait(null).ConfigureAwait(false);
                    continue;
                }
                lastPairingError = null;
                lock (_lock) _url = pairing.Url;
                if (blockedSignature != null && blockedSignature == pairing.Signature)
                {
                    await Wait(null).ConfigureAwait(false);
                    continue;
                }
                blockedSignature = null;

                Outcome outcome;
                try { outcome = await RunConnection(pairing).ConfigureAwait(false); }
                catch (Exception e)
                {
                    Emit("The link failed unexpectedly: " + e.Message, true);
                    outcome = Outcome.Retry;
                }
                if (_stop.IsCancellationRequested) break;
                if (outcome == Outcome.WaitForPairingChange)
                {
                    blockedSignature = pairing.Signature;
                    continue;
                }
                if (_reconnectRequested) continue;
                var delay = _options.Backoff.Next();
                var status = Status == LinkStatus.Refused ? LinkStatus.Refused : LinkStatus.Disconnected;
                var why = Status == LinkStatus.Refused || Status == LinkStatus.Disconnected ? Detail : "Disconnected from the companion.";
                SetStatus(status, Trim(why) + " Retrying in " + delay.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " s.");
                await Wait(delay).ConfigureAwait(false);
            }
            SetStatus(LinkStatus.Stopped, "Stopped.");
        }

        private static string Trim(string detail)
        {
            var i = detail.IndexOf(" Retrying in ", StringComparison.Ordinal);
            return i >= 0 ? detail.Substring(0, i) : detail;
        }

        private static bool IsUnauthorized(Exception e)
        {
            for (var x = e; x != null; x = x.InnerException)
            {
                var m = x.Message ?? "";
                if (m.Contains("401") || m.IndexOf("Unauthorized", StringComparison.OrdinalIgnoreCase) >= 0) return true;
            }
            return false;
        }

        private static bool HasSocketError(Exception e)
        {
            for (var x = e; x != null; x = x.InnerException) if (x is System.Net.Sockets.SocketException) return true;
            return false;
        }

        /// <summary>Mono's ClientWebSocket reports an HTTP 401 on the upgrade only as "Unable to connect to
        /// the remote server" (.NET Framework adds an inner WebException naming the 401). To tell a wrong
        /// secret from a companion that is down, send the same upgrade by hand and read the status line.
        /// Returns the HTTP status, or 0 when it cannot tell.</summary>
        private async Task<int> ProbeStatus(PairingInfo pairing)
        {
            try
            {
                var uri = new Uri(pairing.Url);
                if (uri.Scheme != "ws") return 0;
                using (var tcp = new System.Net.Sockets.TcpClient())
                {
                    var connect = tcp.ConnectAsync(uri.Host, uri.Port);
                    if (await Task.WhenAny(connect, Task.Delay(3000)).ConfigureAwait(false) != connect) return 0;
                    await connect.ConfigureAwait(false);
                    var stream = tcp.GetStream();
                    var key = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
                    var req = "GET " + uri.PathAndQuery + " HTTP/1.1\r\nHost: " + uri.Authority + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                              "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer " + pairing.Secret + "\r\n\r\n";
                    var bytes = Encoding.ASCII.GetBytes(req);
                    await stream.WriteAsync(bytes, 0, bytes.Length).ConfigureAwait(false);
                    var buf = new byte[256];
                    var read = stream.ReadAsync(buf, 0, buf.Length);
                    if (await Task.WhenAny(read, Task.Delay(3000)).ConfigureAwait(false) != read) return 0;
                    var n = await read.ConfigureAwait(false);
                    var line = Encoding.ASCII.GetString(buf, 0, n);
                    // "HTTP/1.1 401 Unauthorized"
                    var parts = line.Split(' ');
                    int status;
                    return parts.Length > 1 && parts[0].StartsWith("HTTP/", StringComparison.Ordinal) && int.TryParse(parts[1], out status) ? status : 0;
                }
            }
            catch (Exception) { return 0; }
        }

        private static string Innermost(Exception e)
        {
            var x = e;
            while (x.InnerException != null) x = x.InnerException;
            return x == e || x.Message == e.Message ? e.Message : e.Message + " (" + x.Message + ")";
        }

        private async Task<Outcome> RunConnection(PairingInfo pairing)
        {
            SetStatus(LinkStatus.Connecting, "Connecting to the companion at " + pairing.Url + " …");
            var ws = new ClientWebSocket();
            ws.Options.SetRequestHeader("Authorization", "Bearer " + pairing.Secret);
            var conn = new Connection(this, ws);
            lock (_lock) _current = conn;
            try
            {
                using (var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, conn.Token))
                {
                    cts.CancelAfter(_options.ConnectTimeout);
                    try { await ws.ConnectAsync(new Uri(pairing.Url), cts.Token).ConfigureAwait(false); }
                    catch (Exception e)
                    {
                        if (_stop.IsCancellationRequested) return Outcome.Stopped;
                        if (IsUnauthorized(e) || (!HasSocketError(e) && await ProbeStatus(pairing).ConfigureAwait(false) == 401))
                        {
                            var msg = "The companion refused the pairing secret (HTTP 401). The pairing file " + _options.PairingFilePath +
                                      " is probably from an earlier start of the companion; waiting for it to change.";
                            Emit(msg, true);
                            SetStatus(LinkStatus.Refused, "Refused: wrong pairing secret. Waiting for the pairing file to change (or press Reconnect).");
                            return Outcome.WaitForPairingChange;
                        }
                        var text = cts.IsCancellationRequested && !conn.Token.IsCancellationRequested
                            ? "The companion at " + pairing.Url + " did not answer within " + _options.ConnectTimeout.TotalSeconds + " s."
                            : "Could not connect to the companion at " + pairing.Url + ": " + Innermost(e);
                        Emit(text, false);
                        SetStatus(LinkStatus.Disconnected, text);
                        return Outcome.Retry;
                    }
                }
                Emit("Connected to " + pairing.Url + "; sending hello.", false);
                return await conn.Run(pairing).ConfigureAwait(false);
            }
            finally
            {
                lock (_lock) if (_current == conn) _current = null;
                conn.Close();
                if (conn.Welcomed)
                {
                    try { _handler.OnDisconnected(); } catch (Exception e) { Emit("Error while handling the disconnect: " + e.Message, true); }
                }
            }
        }

        /// <summary>One WebSocket connection: its send queue, receive loop, heartbeat and watchdog.</summary>
        private sealed class Connection
        {
            private readonly LinkClient _link;
            private readonly ClientWebSocket _ws;
            private readonly CancellationTokenSource _cts = new CancellationTokenSource();
            private readonly ConcurrentQueue<string> _out = new ConcurrentQueue<string>();
            private readonly SemaphoreSlim _outSignal = new SemaphoreSlim(0, int.MaxValue);
            private readonly Stopwatch _clock = Stopwatch.StartNew();
            private long _lastReceivedMs;
            private long _lastSentMs;
            private volatile bool _welcomed;
            private string _abortReason;

            public Connection(LinkClient link, ClientWebSocket ws) { _link = link; _ws = ws; }

            public CancellationToken Token { get { return _cts.Token; } }
            public bool Welcomed { get { return _welcomed; } }

            public bool Enqueue(Message m)
            {
                if (_cts.IsCancellationRequested) return false;
                string text;
                try { text = m.Encode(); }
                catch (Exception e)
                {
                    _link.Emit("Could not encode a " + m.Type + " message: " + e.Message, true);
                    return false;
                }
                if (Encoding.UTF8.GetByteCount(text) > _link._options.MaxMessageBytes)
                {
                    _link.Emit("Not sending a " + m.Type + " message of " + text.Length + " characters: above the " + _link._options.MaxMessageBytes + "-byte limit.", true);
                    return false;
                }
                _out.Enqueue(text);
                _outSignal.Release();
                return true;
            }

            public void Abort(string reason)
            {
                if (_abortReason == null) _abortReason = reason;
                try { _cts.Cancel(); } catch (ObjectDisposedException) { }
                try { _ws.Abort(); } catch (Exception) { }
            }

            public void Close()
            {
                if (_cts.IsCancellationRequested) { try { _ws.Dispose(); } catch (Exception) { } return; }
                try
                {
                    if (_ws.State == WebSocketState.Open)
                        _ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "closing", CancellationToken.None).Wait(1000);
                }
                catch (Exception) { }
                Abort("closed");
                try { _ws.Dispose(); } catch (Exception) { }
            }

            public async Task<Outcome> Run(PairingInfo pairing)
            {
                _lastReceivedMs = _clock.ElapsedMilliseconds;
                Enqueue(_link._handler.CreateHello());
                var sender = Task.Run(() => SendLoop());
                var watchdog = Task.Run(() => Watchdog());
                Outcome outcome;
                try { outcome = await ReceiveLoop(pairing).ConfigureAwait(false); }
                finally
                {
                    Abort("connection ended");
                }
                try { await Task.WhenAll(sender, watchdog).ConfigureAwait(false); } catch (Exception) { }
                return outcome;
            }

            private async Task SendLoop()
            {
                try
                {
                    while (!_cts.IsCancellationRequested)
                    {
                        await _outSignal.WaitAsync(_cts.Token).ConfigureAwait(false);
                        string text;
                        if (!_out.TryDequeue(out text)) continue;
                        var bytes = Encoding.UTF8.GetBytes(text);
                        await _ws.SendAsync(new ArraySegment<byte>(bytes), WebSocketMessageType.Text, true, _cts.Token).ConfigureAwait(false);
                        Interlocked.Exchange(ref _lastSentMs, _clock.ElapsedMilliseconds);
                    }
                }
                catch (OperationCanceledException) { }
                catch (Exception e)
                {
                    if (!_cts.IsCancellationRequested) { _link.Emit("Sending to the companion failed: " + Innermost(e), false); Abort("send failed"); }
                }
            }

            private async Task Watchdog()
            {
                var o = _link._options;
                long tick = Math.Max(50, Math.Min(1000, (long)o.SilenceLimit.TotalMilliseconds / 4));
                try
                {
                    while (!_cts.IsCancellationRequested)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(tick), _cts.Token).ConfigureAwait(false);
                        long now = _clock.ElapsedMilliseconds;
                        if (now - Interlocked.Read(ref _lastReceivedMs) > (long)o.SilenceLimit.TotalMilliseconds)
                        {
                            var msg = "The companion sent nothing for " + o.SilenceLimit.TotalSeconds + " s; dropping the connection and dialling again.";
                            _link.Emit(msg, true);
                            _link.SetStatus(LinkStatus.Disconnected, msg);
                            Abort("silence");
                            return;
                        }
                        if (_welcomed && now - Interlocked.Read(ref _lastSentMs) > (long)o.HeartbeatInterval.TotalMilliseconds)
                        {
                            Interlocked.Exchange(ref _lastSentMs, now);
                            Enqueue(new HeartbeatMessage());
                        }
                    }
                }
                catch (OperationCanceledException) { }
            }

            private async Task<Outcome> ReceiveLoop(PairingInfo pairing)
            {
                var buffer = new byte[64 * 1024];
                var max = _link._options.MaxMessageBytes;
                while (!_cts.IsCancellationRequested)
                {
                    var ms = new MemoryStream();
                    WebSocketReceiveResult r;
                    bool tooBig = false;
                    do
                    {
                        try { r = await _ws.ReceiveAsync(new ArraySegment<byte>(buffer), _cts.Token).ConfigureAwait(false); }
                        catch (Exception e)
                        {
                            if (_link._stop.IsCancellationRequested) return Outcome.Stopped;
                            if ((_abortReason == null || _abortReason == "connection ended") && _link.Status != LinkStatus.Refused)
                            {
                                var msg = "The connection to the companion was lost: " + Innermost(e);
                                _link.Emit(msg, false);
                                _link.SetStatus(LinkStatus.Disconnected, msg);
                            }
                            return _pendingOutcome;
                        }
                        if (r.MessageType == WebSocketMessageType.Close)
                        {
                            var msg = "The companion closed the connection" + (r.CloseStatus.HasValue ? " (" + (int)r.CloseStatus.Value + (string.IsNullOrEmpty(r.CloseStatusDescription) ? "" : " " + r.CloseStatusDescription) + ")" : "") + ".";
                            if (_link.Status != LinkStatus.Refused) { _link.Emit(msg, false); _link.SetStatus(LinkStatus.Disconnected, msg); }
                            return _pendingOutcome;
                        }
                        if (!tooBig)
                        {
                            if (ms.Length + r.Count > max) tooBig = true;
                            else ms.Write(buffer, 0, r.Count);
                        }
                    } while (!r.EndOfMessage);
                    Interlocked.Exchange(ref _lastReceivedMs, _clock.ElapsedMilliseconds);
                    if (r.MessageType != WebSocketMessageType.Text) continue; // binary frames are ignored
                    if (tooBig)
                    {
                        _link.Emit("Ignored a message from the companion larger than " + max + " bytes.", true);
                        continue;
                    }
                    var text = Encoding.UTF8.GetString(ms.GetBuffer(), 0, (int)ms.Length);
                    Message m;
                    try { m = Message.Decode(text, max); }
                    catch (Exception e)
                    {
                        _link.Emit("Ignored a malformed message from the companion: " + e.Message, true);
                        continue;
                    }
                    var stop = Handle(m);
                    if (stop.HasValue) return stop.Value;
                }
                return _link._stop.IsCancellationRequested ? Outcome.Stopped : Outcome.Retry;
            }

            private Outcome _pendingOutcome = Outcome.Retry;

            private Outcome? Handle(Message m)
            {
                var ping = m as PingMessage;
                if (ping != null) { Enqueue(new PongMessage()); return null; }
                var welcome = m as WelcomeMessage;
                if (welcome != null)
                {
                    if (_welcomed) return null;
                    _welcomed = true;
                    _link.NegotiatedMinor = welcome.ProtocolMinor;
                    _link._options.Backoff.Reset();
                    _link.SetStatus(LinkStatus.Connected, "Connected to the companion at " + _link.CompanionUrl + " (protocol " + welcome.ProtocolVersion + "." + welcome.ProtocolMinor + ").");
                    _link.Emit("The companion welcomed us (protocol " + welcome.ProtocolVersion + "." + welcome.ProtocolMinor + ").", false);
                    try { _link._handler.OnWelcome(welcome); } catch (Exception e) { _link.Emit("Error after welcome: " + e.Message, true); }
                    return null;
                }
                var refused = m as RefusedMessage;
                if (refused != null)
                {
                    var permanent = refused.IsPermanent;
                    _link.Emit("The companion refused the add-on (" + refused.Reason + "): " + refused.Text, true);
                    _link.SetStatus(LinkStatus.Refused, "Refused: " + refused.Text + (permanent ? " Not retrying until the pairing file changes or you press Reconnect." : ""));
                    _pendingOutcome = permanent ? Outcome.WaitForPairingChange : Outcome.Retry;
                    return null; // the companion closes the socket next; the close ends the loop
                }
                var request = m as RequestMessage;
                if (request != null)
                {
                    if (!_welcomed) { _link.Emit("Ignored a request that came before welcome.", true); return null; }
                    try { _link._handler.OnRequest(request); }
                    catch (Exception e)
                    {
                        Enqueue(ResponseMessage.Failure(request.Id, "internal", "Internal error: " + e.Message));
                    }
                    return null;
                }
                return null; // unknown types from a newer companion, and add-on-side types, are ignored
            }
        }
    }
}
