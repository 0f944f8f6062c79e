using Concur.Lessons;

namespace Concur.Cli.Bench;

/// <summary>
/// The lesson's CPU-bound job (PrimeWithfuture.py) as the benchmark runs it: the lesson's numbers and
/// <c>is_prime</c> (<see cref="LessonPrimes"/>), the list repeated <see cref="Scale"/> times so the work can outweigh
/// starting a pool; scale 1 is the lesson's exact list.
/// </summary>
internal sealed class PrimesWorkload
{
    /// <summary>
    /// The scale Concur's rows use when <c>--scale</c> is not given: the lesson's list 16 times (96 numbers), so that
    /// Concur's sequential run takes about a second on a 2-core server and the work, not starting a pool, dominates
    /// the parallel rows.
    /// </summary>
    /// <remarks>
    /// The lesson's six numbers take about 60 ms in C#: at scale 1 starting a process pool costs more than the work, and
    /// the cold process rows teach the opposite of the lesson. CPython needs about 1.3 s for the same six numbers on a
    /// quiet machine, so its rows keep <see cref="DefaultPythonScale"/>: both runtimes' sequential runs then take about
    /// a second, and the default run, about 20 runs of each runtime, ends within 90 s.
    /// </remarks>
    public const int DefaultScale = 16;

    /// <summary>
    /// The scale CPython's rows use when neither <c>--scale</c> nor <c>--python-scale</c> is given: the lesson's exact
    /// list, which already takes CPython about a second (Concur's <see cref="DefaultScale"/> would take it about 20 s
    /// per run, and the default run about 15 minutes).
    /// </summary>
    public const int DefaultPythonScale = 1;

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
