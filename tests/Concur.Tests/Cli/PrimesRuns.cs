using Concur.Cli.Bench;

namespace Concur.Tests.Cli;

/// <summary>Made-up runs for the report and chart tests: figures of the right shape, no timing involved.</summary>
internal static class PrimesRuns
{
    /// <summary>A run with Concur's and CPython's rows for each worker count, cold and warm.</summary>
    public static PrimesRun MadeUp(IReadOnlyList<int> workerCounts)
    {
        double[] tasks = [1.0, 1.0, 1.0, 1.0, 1.0, 0.2];
        var rows = new List<RowFigures>();
        foreach (var (runtime, unit) in new[] { (Runtimes.Concur, 0.01), (Runtimes.CPython, 0.25) })
        {
            var result = new List<BenchRow> { new(runtime, BenchMode.Sequential, 1, Starts.None, [5.2 * unit, 5.3 * unit, 5.1 * unit]) };
            foreach (var workers in workerCounts)
            {
                foreach (var mode in new[] { "threads", "processes" })
                {
                    result.Add(new(runtime, mode, workers, Starts.Cold, [3.6 * unit, 3.5 * unit, 4.0 * unit]));
                    result.Add(new(runtime, mode, workers, Starts.Warm, [3.1 * unit, 3.2 * unit, 3.3 * unit]));
                }
            }
            rows.AddRange(PrimesAnalysis.Figures(new RuntimeResult(result, [.. tasks.Select(t => t * unit)]), processors: 2));
        }
        var python = new PythonReport(PythonReport.Ran, "/usr/bin/python3", "3.11.7", "fork", "CPython 3.11.7");
        return new PrimesRun(1, 6, 1, 6, 3, 2, workerCounts, python, new Dictionary<string, IReadOnlyList<double>>(), rows);
    }
}
