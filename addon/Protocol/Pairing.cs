// The pairing file the companion writes when it starts in add-on mode (docs/addon-protocol.md):
// { "url": "ws://127.0.0.1:47411/addon", "secret": "…", "protocolVersion": 1, "protocolMinor": 1 }.
// The secret changes every time the companion starts, so the link re-reads the file before every
// connect, and watches it (FileSystemWatcher plus a slow poll, because a watcher can miss events on
// network drives, under Mono, or when the folder does not exist yet) so either side can start first.
// The secret is never logged and never part of a message.
// C# 7.2 / .NET Framework 4.8.
using System;
using System.IO;
using System.Text;
using System.Threading;

namespace NTMcpCompanion.Protocol
{
    public sealed class PairingInfo
    {
        public string Url;
        public string Secret;
        public int ProtocolVersion;
        public int ProtocolMinor;
        /// <summary>Identifies the file's content (changes when the companion restarts); not the secret itself.</summary>
        public string Signature;
    }

    public static class PairingFile
    {
        /// <summary>Reads and checks the file. Returns null and a sentence in error when it is missing or invalid.</summary>
        public static PairingInfo TryRead(string path, out string error)
        {
            error = null;
            string text;
            try
            {
                if (!File.Exists(path))
                {
                    error = "Waiting for the pairing file at " + path + " (start the NT MCP Companion with the add-on link).";
                    return null;
                }
                using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
                using (var sr = new StreamReader(fs, Encoding.UTF8))
                {
                    if (fs.Length > 64 * 1024) { error = "The pairing file at " + path + " is " + fs.Length + " bytes, too large to be one."; return null; }
                    text = sr.ReadToEnd();
                }
            }
            catch (Exception e)
            {
                error = "Could not read the pairing file at " + path + ": " + e.Message;
                return null;
            }
            return Parse(text, path, out error);
        }

        public static PairingInfo Parse(string text, string path, out string error)
        {
            error = null;
            try
            {
                var o = Json.ParseObject(text, 8, 64 * 1024);
                var f = new Fields(o, "pairing file");
                var url = f.String("url");
                var secret = f.String("secret");
                var major = (int)f.OptInt("protocolVersion", 1);
                var minor = (int)f.OptInt("protocolMinor", 0);
                Uri uri;
                if (!Uri.TryCreate(url, UriKind.Absolute, out uri) || (uri.Scheme != "ws" && uri.Scheme != "wss"))
                {
                    error = "The pairing file at " + path + " has no usable url (expected ws://host:port/addon).";
                    return null;
                }
                if (secret.Length < 16)
                {
                    error = "The pairing file at " + path + " has no usable secret.";
                    return null;
                }
                if (major != ProtocolVersion.Major)
                {
                    error = "The companion that wrote " + path + " speaks add-on protocol " + major + ".x; this add-on speaks " + ProtocolVersion.Major + ".x. Install the add-on that matches the companion.";
                    return null;
                }
                return new PairingInfo { Url = url, Secret = secret, ProtocolVersion = major, ProtocolMinor = minor, Signature = Signature(text) };
            }
            catch (Exception e)
            {
                // The companion may be half-way through writing it; the watcher fires again when it is done.
                error = "The pairing file at " + path + " is not valid yet: " + e.Message;
                return null;
            }
        }

        private static string Signature(string text)
        {
            // FNV-1a over the text: enough to tell one companion start from the next.
            ulong h = 14695981039346656037UL;
            foreach (char c in text) { h ^= c; h *= 1099511628211UL; }
            return h.ToString("x16");
        }
    }

    /// <summary>Raises Changed (on a pool thread) when the pairing file appears, changes or disappears.</summary>
    public sealed class PairingWatcher : IDisposable
    {
        private readonly string _path;
        private readonly Timer _poll;
        private FileSystemWatcher _fsw;
        private string _last;
        private readonly object _lock = new object();
        private bool _disposed;

        public event Action Changed;

        public PairingWatcher(string path, TimeSpan pollInterval)
        {
            _path = Path.GetFullPath(path);
            _last = Stamp();
            TryWatch();
            _poll = new Timer(_ => Check(), null, pollInterval, pollInterval);
        }

        private void TryWatch()
        {
            if (_fsw != null) return;
            try
            {
                var dir = Path.GetDirectoryName(_path);
                if (!Directory.Exists(dir)) return;
                var w = new FileSystemWatcher(dir, Path.GetFileName(_path));
                w.NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime;
                FileSystemEventHandler h = (s, e) => Check();
                w.Changed += h; w.Created += h; w.Deleted += h;
                w.Renamed += (s, e) => Check();
                w.EnableRaisingEvents = true;
                _fsw = w;
            }
            catch (Exception)
            {
                _fsw = null; // the poll still notices changes
            }
        }

        private string Stamp()
        {
            try
            {
                var fi = new FileInfo(_path);
                if (!fi.Exists) return "absent";
                return fi.Length + "/" + fi.LastWriteTimeUtc.Ticks;
            }
            catch (Exception) { return "unreadable"; }
        }

        private void Check()
        {
            bool changed;
            lock (_lock)
            {
                if (_disposed) return;
                if (_fsw == null) TryWatch();
                var s = Stamp();
                changed = s != _last;
                _last = s;
            }
            if (changed)
            {
                var h = Changed;
                if (h != null) h();
            }
        }

        public void Dispose()
        {
            lock (_lock)
            {
                if (_disposed) return;
                _disposed = true;
                _poll.Dispose();
                if (_fsw != null) { _fsw.EnableRaisingEvents = false; _fsw.Dispose(); }
            }
        }
    }
}
