// A tiny test runner (NUnit is not reachable here): every public static void method named Test*
// in a class whose name ends in "Tests" is a test. Prints one line per failure and
// "N passed, M failed"; exits 1 when anything failed. Optional argument: a substring of test names.
// C# 7.2, Mono.
using System;
using System.Linq;
using System.Reflection;

namespace NTMcpCompanion.Tests
{
    public static class Runner
    {
        public static int Main(string[] args)
        {
            var filter = args.Length > 0 ? args[0] : null;
            var tests = typeof(Runner).Assembly.GetTypes()
                .Where(t => t.IsClass && t.Name.EndsWith("Tests", StringComparison.Ordinal))
                .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static)
                    .Where(m => m.Name.StartsWith("Test", StringComparison.Ordinal) && m.GetParameters().Length == 0)
                    .Select(m => new { Name = t.Name + "." + m.Name, Method = m }))
                .Where(x => filter == null || x.Name.Contains(filter))
                .OrderBy(x => x.Name, StringComparer.Ordinal)
                .ToList();
            int passed = 0, failed = 0;
            foreach (var t in tests)
            {
                try
                {
                    t.Method.Invoke(null, null);
                    passed++;
                    Console.WriteLine("ok   " + t.Name);
                }
                catch (TargetInvocationException e)
                {
                    failed++;
                    var inner = e.InnerException ?? e;
                    Console.WriteLine("FAIL " + t.Name + ": " + inner.Message);
                    if (!(inner is AssertionException)) Console.WriteLine(inner.StackTrace);
                }
            }
            Console.WriteLine(passed + " passed, " + failed + " failed");
            return failed == 0 && passed > 0 ? 0 : 1;
        }
    }

    public sealed class AssertionException : Exception
    {
        public AssertionException(string message) : base(message) { }
    }

    public static class Assert
    {
        public static void True(bool condition, string what)
        {
            if (!condition) throw new AssertionException(what);
        }

        public static void Equal<T>(T expected, T actual, string what = null)
        {
            if (!Equals(expected, actual))
                throw new AssertionException((what == null ? "" : what + ": ") + "expected <" + expected + "> but got <" + actual + ">");
        }

        public static void Contains(string needle, string haystack, string what = null)
        {
            if (haystack == null || !haystack.Contains(needle))
                throw new AssertionException((what == null ? "" : what + ": ") + "expected text containing <" + needle + "> but got <" + haystack + ">");
        }

        public static TEx Throws<TEx>(Action action, string what) where TEx : Exception
        {
            try { action(); }
            catch (TEx e) { return e; }
            catch (Exception e) { throw new AssertionException(what + ": expected " + typeof(TEx).Name + " but got " + e.GetType().Name + ": " + e.Message); }
            throw new AssertionException(what + ": expected " + typeof(TEx).Name + " but nothing was thrown");
        }
    }
}
