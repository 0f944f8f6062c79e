namespace Concur.Cli.Bench;

/// <summary>
/// Measures every row of a <c>bench primes</c> run: Concur's, and CPython's when python3 is there, interleaved run by
/// run (run 1 of every row, then run 2, ...), so that load from other programs, which comes and goes on a shared
/// machine, weighs on every row and on both runtimes alike instead of on whichever happened to run at a bad moment.
/// </summary>
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
        using var cluster = options.ClusterNodes > 0 ? StartCluster(options, onProgress) : null;
        IReadOnlyList<BenchMode> modes = cluster is null ? BenchMode.All : [.. BenchMode.All, cluster.Mode];
        var keys = RowKey.All(options.WorkerCounts, [.. modes.Select(m => m.Name)]);
        // CPython has no cluster: its rows are the lesson's (sequential, threads, processes).
        var pythonKeys = keys.Where(k => k.Mode != ClusterRows.ModeName).ToList();
        var concurSamples = keys.ToDictionary(k => k, _ => new List<double>());
        var pythonSamples = pythonKeys.ToDictionary(k => k, _ => new List<double>());
        IReadOnlyList<double>? pythonTasks = null;

        using var concur = new ConcurRows(options.Workload, modes);
        var (python, report) = StartPython(options, findPython, onProgress);
        try
        {
            for (var run = 1; run <= options.Runs; run++)
            {
                onProgress?.Invoke($"run {run} of {options.Runs}: {Runtimes.Concur}");
                foreach (var key in keys)
                {
                    concurSamples[key].Add(concur.Sample(key));
                }
                if (python is null)
                {
                    continue;
                }
                onProgress?.Invoke($"run {run} of {options.Runs}: {Runtimes.CPython}");
                try
                {
                    var bound = PythonBound(concurSamples[RowKey.Sequential]);
                    foreach (var key in pythonKeys)
                    {
                        pythonSamples[key].Add(python.Sample(key, bound));
                    }
                }
                catch (CPythonFailedException e)
                {
                    report = report with { Status = PythonReport.Failed, Message = $"CPython rows left out: {e.Message}" };
                    python.Dispose();
                    python = null;
                }
            }
            pythonTasks = python?.TaskSeconds;
        }
        finally
        {
            python?.Dispose();
        }

        var rows = PrimesAnalysis.Figures(Result(Runtimes.Concur, keys, concurSamples, concur.TaskSeconds), processors).ToList();
        var taskSeconds = new Dictionary<string, IReadOnlyList<double>> { [Runtimes.Concur] = concur.TaskSeconds };
        if (pythonTasks is not null)
        {
            rows.AddRange(PrimesAnalysis.Figures(Result(Runtimes.CPython, pythonKeys, pythonSamples, pythonTasks), processors));
            taskSeconds[Runtimes.CPython] = pythonTasks;
        }
        return new PrimesRun(
            options.Workload.Scale,
            options.Workload.Numbers.Count,
            pythonTasks is null ? null : options.PythonWorkload.Scale,
            pythonTasks is null ? null : options.PythonWorkload.Numbers.Count,
            options.Runs,
            processors,
            options.WorkerCounts,
            report,
            taskSeconds,
            rows);
    }

    private static ClusterRows StartCluster(PrimesOptions options, Action<string>? onProgress)
    {
        onProgress?.Invoke($"an embedded cluster of {options.ClusterNodes} node processes for the cluster rows");
        return ClusterRows.Start(options.ClusterNodes, options.WorkerCounts.Max());
    }

    private static (CPythonSession? Session, PythonReport Report) StartPython(PrimesOptions options, Func<string?> findPython, Action<string>? onProgress)
    {
        if (options.NoPython)
        {
            return (null, PythonReport.NotWanted);
        }
        if (findPython() is not { } executable)
        {
            return (null, PythonReport.NotFound);
        }
        onProgress?.Invoke($"{executable} with the lesson's own programs");
        try
        {
            var session = CPythonSession.Start(executable, options.PythonWorkload, TimeSpan.FromSeconds(60));
            var numbers = options.PythonWorkload.Scale == options.Workload.Scale
                ? "the same numbers"
                : $"the lesson's list x{options.PythonWorkload.Scale} (Concur's rows: x{options.Workload.Scale}; compare speedups and numbers/s, "
                    + "or give --scale to run both on the same numbers)";
            var message = $"{Runtimes.CPython} {session.Version} ({executable}), multiprocessing start method {session.StartMethod}: "
                + $"the lesson's own programs on {numbers}, the same worker counts and runs, interleaved with Concur's runs.";
            return (session, new PythonReport(PythonReport.Ran, executable, session.Version, session.StartMethod, message));
        }
        catch (CPythonFailedException e)
        {
            return (null, new PythonReport(PythonReport.Failed, executable, null, null, $"CPython rows left out: {e.Message}"));
        }
    }

    private static RuntimeResult Result(string runtime, IReadOnlyList<RowKey> keys, Dictionary<RowKey, List<double>> samples, IReadOnlyList<double> taskSeconds) =>
        new([.. keys.Select(k => new BenchRow(runtime, k.Mode, k.Workers, k.Start, samples[k]))], taskSeconds);

    /// <summary>
    /// How long one CPython run may take: a safety bound, not an estimate. CPython runs this job about 25 times slower
    /// than Concur; the bound allows 200 times Concur's slowest sequential run so far, plus two minutes.
    /// </summary>
    private static TimeSpan PythonBound(List<double> concurSequential) =>
        TimeSpan.FromSeconds(120 + (200 * concurSequential.Max()));
}
