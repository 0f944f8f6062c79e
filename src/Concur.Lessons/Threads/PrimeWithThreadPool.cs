using System.Diagnostics;
using System.Globalization;

namespace Concur.Lessons;

/// <summary>The lesson's last PrimeWithfuture.py: the prime checks on a ThreadPoolExecutor.</summary>
public static class PrimeWithThreadPool
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "prime-thread-pool",
        "PrimeWithfuture.py (ThreadPoolExecutor)",
        "The prime checks on a thread pool: no faster in CPython (the GIL), but in .NET threads run on every core.",
        Run);

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using (var pool = new ThreadPoolExecutor())
        {
            // zip(PRIMES, pool.map(is_prime, PRIMES)): map yields the results in input order.
            foreach (var (number, prime) in LessonPrimes.Numbers.Zip(pool.Map(LessonPrimes.IsPrime, LessonPrimes.Numbers, cancellationToken: cancellationToken)))
            {
                output.WriteLine($"{number} is prime? {(prime ? "True" : "False")}");
            }
        }
        watch.Stop();
        output.WriteLine((watch.Elapsed.TotalSeconds / LessonPrimes.Numbers.Count).ToString("0.######", CultureInfo.InvariantCulture));
    }
}
