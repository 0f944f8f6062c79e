using Concur.Lessons;

namespace Concur.Cli.Bench;

/// <summary>
/// The lesson's CPU-bound workload (PrimeWithfuture.py) as the benchmark uses it: the numbers and
/// <c>is_prime</c> are the lesson's own (<see cref="LessonPrimes"/>), so the benchmark and the lesson programs time
/// the same code; this class adds the answers every run is checked against.
/// </summary>
internal static class Primes
{
    /// <summary>The lesson's <c>PRIMES</c> list, in its order (the first number appears twice, as in the lesson).</summary>
    public static IReadOnlyList<long> Numbers => LessonPrimes.Numbers;

    /// <summary>What <see cref="LessonPrimes.IsPrime"/> must answer for each of <see cref="Numbers"/>: all prime but the last.</summary>
    public static IReadOnlyList<bool> Expected { get; } = [true, true, true, true, true, false];

    /// <summary>Throws if <paramref name="results"/> are not the answers the lesson expects.</summary>
    /// <param name="results">The answers of one run, in the order of <see cref="Numbers"/>.</param>
    /// <param name="mode">The run's description, for the message.</param>
    /// <exception cref="InvalidOperationException">An answer is wrong or missing.</exception>
    public static void Verify(IReadOnlyList<bool> results, string mode)
    {
        if (!results.SequenceEqual(Expected))
        {
            throw new InvalidOperationException(
                $"The {mode} run computed [{string.Join(", ", results)}] but the lesson expects [{string.Join(", ", Expected)}].");
        }
    }
}
