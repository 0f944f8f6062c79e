using System.Text.Json.Serialization;

namespace Concur.Cli.Bench;

/// <summary>The median timing of one mode at one worker count. Serialized as the JSON objects of <c>--json</c>.</summary>
/// <param name="Mode">"sequential", "threads" or "processes".</param>
/// <param name="Workers">The number of workers (1 for sequential).</param>
/// <param name="Seconds">The median wall time of the repeats, in seconds.</param>
/// <param name="Speedup">Sequential seconds divided by these seconds.</param>
/// <param name="Efficiency">Speedup divided by workers.</param>
internal sealed record BenchResult(
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("workers")] int Workers,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("speedup")] double Speedup,
    [property: JsonPropertyName("efficiency")] double Efficiency);
