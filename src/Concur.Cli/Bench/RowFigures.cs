using System.Text.Json.Serialization;

namespace Concur.Cli.Bench;

/// <summary>One row of the report with every figure derived from it: a JSON object of <c>rows</c> in <c>--json</c>.</summary>
/// <param name="Runtime"><see cref="Runtimes.Concur"/> or <see cref="Runtimes.CPython"/>.</param>
/// <param name="Mode">"sequential", "threads" or "processes".</param>
/// <param name="Workers">The number of workers (1 for sequential).</param>
/// <param name="Start">"cold", "warm" or "none" (<see cref="Starts"/>).</param>
/// <param name="Samples">Every run's wall time in seconds, in the order they ran.</param>
/// <param name="Min">The fastest run, in seconds.</param>
/// <param name="Median">The median run, in seconds.</param>
/// <param name="Max">The slowest run, in seconds.</param>
/// <param name="NumbersPerSecond">Numbers checked per second at the median: comparable across runtimes whose scales differ.</param>
/// <param name="Speedup">The same runtime's sequential median divided by this median.</param>
/// <param name="Efficiency">Speedup divided by workers: against the worker count alone.</param>
/// <param name="BestSeconds">The best possible wall time of these tasks on this many workers (<see cref="BestSchedule"/>), from the runtime's measured per-task times.</param>
/// <param name="BestMethod">How <paramref name="BestSeconds"/> was found: "optimal" or "lpt".</param>
/// <param name="VsBest">BestSeconds divided by the median: 1 means nothing was lost to start-up, overhead or imbalance.</param>
internal sealed record RowFigures(
    [property: JsonPropertyName("runtime")] string Runtime,
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("workers")] int Workers,
    [property: JsonPropertyName("start")] string Start,
    [property: JsonPropertyName("samples")] IReadOnlyList<double> Samples,
    [property: JsonPropertyName("min")] double Min,
    [property: JsonPropertyName("median")] double Median,
    [property: JsonPropertyName("max")] double Max,
    [property: JsonPropertyName("numbersPerSecond")] double NumbersPerSecond,
    [property: JsonPropertyName("speedup")] double Speedup,
    [property: JsonPropertyName("efficiency")] double Efficiency,
    [property: JsonPropertyName("bestSeconds")] double BestSeconds,
    [property: JsonPropertyName("bestMethod")] string BestMethod,
    [property: JsonPropertyName("vsBest")] double VsBest)
{
    /// <summary>Gets the row's name without the runtime: "sequential", "threads x 2 cold".</summary>
    [JsonIgnore]
    public string Label => Mode == BenchMode.Sequential ? Mode : $"{Mode} x {Workers} {Start}";
}
