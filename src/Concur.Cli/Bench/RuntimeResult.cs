namespace Concur.Cli.Bench;

/// <summary>What one runtime measured: its rows, sequential first, and each task's time when run alone.</summary>
/// <param name="Rows">The measured configurations, the sequential row first.</param>
/// <param name="TaskSeconds">The median time of each task (in list order) over the sequential runs, in seconds.</param>
internal sealed record RuntimeResult(IReadOnlyList<BenchRow> Rows, IReadOnlyList<double> TaskSeconds);
