namespace Concur.Cli.Bench;

/// <summary>
/// The lesson's CPU-bound workload (PrimeWithfuture.py): trial division over six 15- and 16-digit numbers.
/// Static, so that a process pool can ship <see cref="IsPrime"/> to its workers by name.
/// </summary>
internal static class Primes
{
    /// <summary>The lesson's <c>PRIMES</c> list, in its order (the first number appears twice, as in the lesson).</summary>
    public static IReadOnlyList<long> Numbers { get; } =
    [
        112272535095293,
        112582705942171,
        112272535095293,
        115280095190773,
        115797848077099,
        1099726899285419,
    ];

    /// <summary>What <see cref="IsPrime"/> must answer for each of <see cref="Numbers"/>: all prime but the last.</summary>
    public static IReadOnlyList<bool> Expected { get; } = [true, true, true, true, true, false];

    /// <summary>The lesson's <c>is_prime</c>: trial division by 2 and by every odd number up to the square root.</summary>
    /// <param name="n">The number to test.</param>
    /// <returns><see langword="true"/> if <paramref name="n"/> is prime.</returns>
    public static bool IsPrime(long n)
    {
        if (n < 2)
        {
            return false;
        }
        if (n == 2)
        {
            return true;
        }
        if (n % 2 == 0)
        {
            return false;
        }
        var sqrtN = (long)Math.Floor(Math.Sqrt(n));
        for (long i = 3; i <= sqrtN; i += 2)
        {
            if (n % i == 0)
            {
                return false;
            }
        }
        return true;
    }

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
