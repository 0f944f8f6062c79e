using Concur.Lessons;

namespace Concur.Cli.Bench;

/// <summary>
/// The lesson's CPU-bound job (PrimeWithfuture.py) as the benchmark runs it: the lesson's numbers and
/// <c>is_prime</c> (<see cref="LessonPrimes"/>), the list repeated <see cref="Scale"/> times so the work can outweigh
/// starting a pool; scale 1 is the lesson's exact list.
/// </summary>
internal sealed class PrimesWorkload
{
    /// <summary>The scale <c>concur bench primes</c> uses when <c>--scale</c> is not given: the lesson's exact list.</summary>
    /// <remarks>
    /// Chosen so the default run, CPython's rows included, ends within 90 s on the project's shared 2-core machine:
    /// CPython takes about 1.3 s for the lesson's list on a quiet machine (3-4x that while other jobs run) and runs it
    /// about 20 times per worker count (5 runs of sequential, threads cold and warm, processes cold and warm). Scale 2
    /// took 57-80 s at load average 6-8 but 105-137 s at 12-14; scale 1 takes about half. Concur's own sequential
    /// run would need scale 16 or so to take a second, which CPython would need minutes for.
    /// </remarks>
    public const int DefaultScale = 1;

    /// <summary>What <see cref="LessonPrimes.IsPrime"/> answers for the lesson's list: all prime but the last.</summary>
    public static IReadOnlyList<bool> LessonExpected { get; } = [true, true, true, true, true, false];

    /// <summary>Initializes a workload of the lesson's list repeated <paramref name="scale"/> times.</summary>
    /// <param name="scale">How many times the lesson's six numbers are repeated, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scale"/> is below 1.</exception>
    public PrimesWorkload(int scale)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        Scale = scale;
        Numbers = [.. Enumerable.Repeat(LessonPrimes.Numbers, scale).SelectMany(n => n)];
        Expected = [.. Enumerable.Repeat(LessonExpected, scale).SelectMany(e => e)];
    }

    /// <summary>Gets how many times the lesson's list is repeated.</summary>
    public int Scale { get; }

    /// <summary>Gets the numbers to check, the lesson's list repeated, in order.</summary>
    public IReadOnlyList<long> Numbers { get; }

    /// <summary>Gets the answer each of <see cref="Numbers"/> must get.</summary>
    public IReadOnlyList<bool> Expected { get; }

    /// <summary>Throws if <paramref name="results"/> are not the answers the lesson expects.</summary>
    /// <param name="results">The answers of one run, in the order of <see cref="Numbers"/>.</param>
    /// <param name="mode">The run's description, for the message.</param>
    /// <exception cref="InvalidOperationException">An answer is wrong or missing.</exception>
    public void Verify(IReadOnlyList<bool> results, string mode)
    {
        if (!results.SequenceEqual(Expected))
        {
            throw new InvalidOperationException(
                $"The {mode} run computed [{string.Join(", ", results)}] but the lesson expects [{string.Join(", ", Expected)}].");
        }
    }
}
