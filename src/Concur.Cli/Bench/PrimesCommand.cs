namespace Concur.Cli.Bench;

/// <summary>Runs Concur's rows, then CPython's when it is there, and puts every figure in one <see cref="PrimesRun"/>.</summary>
internal static class PrimesCommand
{
    /// <summary>Measures everything <paramref name="options"/> asks for.</summary>
    /// <param name="options">The validated options.</param>
    /// <param name="findPython">Finds python3, or returns null when it is absent.</param>
    /// <param name="onProgress">Called with a description of each step, or null.</param>
    /// <returns>The run, every row with its figures.</returns>
    public static PrimesRun Measure(PrimesOptions options, Func<string?> findPython, Action<string>? onProgress)
    {
        var processors = Environment.ProcessorCount;
        var concur = PrimesBenchmark.Run(options.Workload, options.WorkerCounts, options.Runs, BenchMode.All, onProgress);
        var rows = PrimesAnalysis.Figures(concur, processors).ToList();
        var taskSeconds = new Dictionary<string, IReadOnlyList<double>> { [Runtimes.Concur] = concur.TaskSeconds };

        PythonReport python;
        if (options.NoPython)
        {
            python = PythonReport.NotWanted;
        }
        else if (findPython() is not { } executable)
        {
            python = PythonReport.NotFound;
        }
        else
        {
            onProgress?.Invoke($"{Runtimes.CPython} ({executable}), the lesson's own programs");
            var (result, report) = CPythonPrimes.Run(
                executable, options.Workload, options.WorkerCounts, options.Runs, PythonBound(rows, options), onProgress);
            python = report;
            if (result is not null)
            {
                rows.AddRange(PrimesAnalysis.Figures(result, processors));
                taskSeconds[Runtimes.CPython] = result.TaskSeconds;
            }
        }
        return new PrimesRun(
            options.Workload.Scale,
            options.Workload.Numbers.Count,
            options.Runs,
            processors,
            options.WorkerCounts,
            python,
            taskSeconds,
            rows);
    }

    /// <summary>
    /// How long CPython may take: a safety bound, not an estimate. CPython runs this job about 25 times slower than
    /// Concur; the bound allows 200 times Concur's sequential time for every run of every row, plus five minutes.
    /// </summary>
    private static TimeSpan PythonBound(IReadOnlyList<RowFigures> concurRows, PrimesOptions options)
    {
        var sequential = concurRows.First(r => r.Mode == BenchMode.Sequential).Median;
        var rowCount = 1 + (4 * options.WorkerCounts.Count);
        var seconds = 300 + (200 * sequential * options.Runs * rowCount);
        return TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.FromDays(1).TotalSeconds));
    }
}
