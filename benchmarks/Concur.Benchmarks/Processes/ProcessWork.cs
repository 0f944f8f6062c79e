namespace Concur.Benchmarks.Processes;

/// <summary>The work the process benchmarks send: trivial functions, and the lesson's primes.</summary>
public static class ProcessWork
{
    /// <summary>The lesson's numbers (PrimeWithfuture.py).</summary>
    public static readonly long[] Primes =
    [
        112272535095293,
        112582705942171,
        112272535095293,
        115280095190773,
        115797848077099,
        1099726899285419,
    ];

    /// <summary>A trivial task.</summary>
    public static int Identity(int x) => x;

    /// <summary>The lesson's is_prime, written the same way.</summary>
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
        long sqrt = (long)Math.Floor(Math.Sqrt(n));
        for (long i = 3; i <= sqrt; i += 2)
        {
            if (n % i == 0)
            {
                return false;
            }
        }
        return true;
    }
}
