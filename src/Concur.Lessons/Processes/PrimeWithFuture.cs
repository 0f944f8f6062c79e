using System.Diagnostics;
using System.Globalization;

namespace Concur.Lessons;

/// <summary>PrimeWithfuture.py: the six prime checks on a <c>ProcessPoolExecutor</c>.</summary>
public static class PrimeWithFuture
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "prime-process-pool",
        "PrimeWithfuture.py (ProcessPoolExecutor)",
        "A CPU-bound job spread over one worker process per core with executor.map(); results come back in input order.",
        Run,
        usesChildProcesses: true);

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        // ProcessPoolExecutor(): one worker process per CPU, as in Python. The function must be a static method
        // (LessonPrimes.IsPrime): the workers receive a reference to it, not the code.
        using (var pool = new ProcessPoolExecutor())
        {
            foreach (var (number, prime) in LessonPrimes.Numbers.Zip(pool.Map(LessonPrimes.IsPrime, LessonPrimes.Numbers, cancellationToken: cancellationToken)))
            {
                output.WriteLine($"{number} is prime? {(prime ? "True" : "False")}");
            }
        }
        watch.Stop();
        // Includes starting the worker processes. `concur bench primes` compares worker counts properly.
        output.WriteLine((watch.Elapsed.TotalSeconds / LessonPrimes.Numbers.Count).ToString("0.######", CultureInfo.InvariantCulture));
    }
}
