using System.Diagnostics;
using System.Globalization;

namespace Concur.Lessons;

/// <summary>PrimeNoWithfuture.py: the six prime checks one after the other, timed.</summary>
public static class PrimeNoWithFuture
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "prime-sequential",
        "PrimeNoWithfuture.py",
        "A CPU-bound job (trial division of six large numbers) on one thread: the baseline for the pool versions.",
        Run);

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        foreach (var n in LessonPrimes.Numbers)
        {
            cancellationToken.ThrowIfCancellationRequested();
            output.WriteLine($"{n} is prime? {(LessonPrimes.IsPrime(n) ? "True" : "False")}");
        }
        watch.Stop();
        // The lesson prints (end - start) / n, where n is the loop variable left over (the last number): a slip
        // for len(PRIMES). This prints the time per number.
        output.WriteLine((watch.Elapsed.TotalSeconds / LessonPrimes.Numbers.Count).ToString("0.######", CultureInfo.InvariantCulture));
    }
}
