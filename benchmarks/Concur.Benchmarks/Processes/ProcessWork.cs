using Concur.Lessons;

namespace Concur.Benchmarks.Processes;

/// <summary>
/// The work the process benchmarks send: a trivial function, and the lesson's primes (the lesson programs' own
/// <see cref="LessonPrimes"/>, so every benchmark times the same code).
/// </summary>
public static class ProcessWork
{
    /// <summary>The lesson's numbers (PrimeWithfuture.py).</summary>
    public static readonly long[] Primes = [.. LessonPrimes.Numbers];

    /// <summary>A trivial task.</summary>
    public static int Identity(int x) => x;
}
