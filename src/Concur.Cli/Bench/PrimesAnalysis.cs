namespace Concur.Cli.Bench;

/// <summary>Turns measured rows into the report's figures: spread, speedup, efficiency, and the best-schedule bound.</summary>
internal static class PrimesAnalysis
{
    /// <summary>Computes every row's figures against its own runtime's sequential row and per-task times.</summary>
    /// <param name="result">One runtime's rows (its sequential row among them) and per-task times.</param>
    /// <param name="processors">The processor count the workers share.</param>
    /// <returns>The figures, in the order of the rows.</returns>
    /// <exception cref="ArgumentException">There is no sequential row, or a row has no samples.</exception>
    public static IReadOnlyList<RowFigures> Figures(RuntimeResult result, int processors)
    {
        var sequential = result.Rows.FirstOrDefault(r => r.Mode == BenchMode.Sequential)
            ?? throw new ArgumentException("The rows need a sequential row to compare against.", nameof(result));
        var baseline = Samples.Median(sequential.Samples);
        return [.. result.Rows.Select(row => Figures(row, baseline, result.TaskSeconds, processors))];
    }

    /// <summary>Computes one row's figures.</summary>
    /// <param name="row">The measured row.</param>
    /// <param name="sequentialMedian">The same runtime's sequential median, in seconds.</param>
    /// <param name="taskSeconds">The runtime's per-task times, in seconds: one per number a run checks.</param>
    /// <param name="processors">The processor count the workers share.</param>
    public static RowFigures Figures(BenchRow row, double sequentialMedian, IReadOnlyList<double> taskSeconds, int processors)
    {
        if (row.Samples.Count == 0)
        {
            throw new ArgumentException($"The {row.Runtime} {row.Mode} row has no samples.", nameof(row));
        }
        var median = Samples.Median(row.Samples);
        var speedup = sequentialMedian / median;
        var best = BestSchedule.Compute(taskSeconds, row.Workers, processors);
        return new RowFigures(
            row.Runtime,
            row.Mode,
            row.Workers,
            row.Start,
            row.Samples,
            row.Samples.Min(),
            median,
            row.Samples.Max(),
            taskSeconds.Count / median,
            speedup,
            speedup / row.Workers,
            best.Seconds,
            best.Method,
            best.Seconds / median);
    }
}
