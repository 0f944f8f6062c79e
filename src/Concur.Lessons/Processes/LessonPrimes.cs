namespace Concur.Lessons;

/// <summary>The numbers and the <c>is_prime</c> of the lesson's prime programs.</summary>
public static class LessonPrimes
{
    /// <summary>Gets the lesson's PRIMES list (five 15-digit numbers, one of them twice, and one 16-digit number).</summary>
    public static IReadOnlyList<long> Numbers { get; } =
    [
        112272535095293, // 15位
        112582705942171,
        112272535095293,
        115280095190773,
        115797848077099,
        1099726899285419, // 16位
    ];

    /// <summary>Trial division by 2 and the odd numbers up to √n, exactly as the lesson's <c>is_prime</c>.</summary>
    /// <param name="n">The number to test.</param>
    /// <returns>Whether <paramref name="n"/> is prime.</returns>
    /// <remarks>A static method, so that worker processes can run it (a process pool sends a reference to it).</remarks>
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
}
