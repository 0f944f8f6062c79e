namespace Concur.Cli.Bench;

/// <summary>The measured wall times of one configuration: a runtime, a mode, a worker count, cold or warm.</summary>
/// <param name="Runtime"><see cref="Runtimes.Concur"/> or <see cref="Runtimes.CPython"/>.</param>
/// <param name="Mode"><see cref="BenchMode.Sequential"/>, <c>"threads"</c> or <c>"processes"</c>.</param>
/// <param name="Workers">The number of workers (1 for sequential).</param>
/// <param name="Start"><see cref="Starts.Cold"/>, <see cref="Starts.Warm"/>, or <see cref="Starts.None"/> for sequential.</param>
/// <param name="Samples">The wall time of each run, in seconds, in the order they ran.</param>
internal sealed record BenchRow(string Runtime, string Mode, int Workers, string Start, IReadOnlyList<double> Samples);
