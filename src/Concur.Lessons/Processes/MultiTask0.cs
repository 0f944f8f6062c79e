using System.Diagnostics;

namespace Concur.Lessons;

/// <summary>multitask0.py: the same sum on one thread, for comparison with multitask1.</summary>
public static class MultiTask0
{
    private const long Last = 100_000_000;

    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "multitask0",
        "multitask0.py",
        "The same sum without processes, to compare with multitask1.",
        Run);

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        // The lesson sums 1..1,000,000,000 here (ten times multitask1's range) after building a Python list of a
        // billion numbers, which needs tens of GB. This sums multitask1's range, 1..100,000,000, without a list,
        // so that the two programs compare like with like.
        var watch = Stopwatch.StartNew();
        long total = 0;
        for (long number = 1; number <= Last; number++)
        {
            total += number;
        }
        output.WriteLine(total);
        output.WriteLine($"Execution time: {watch.Elapsed.TotalSeconds:0.000}s");
    }
}
