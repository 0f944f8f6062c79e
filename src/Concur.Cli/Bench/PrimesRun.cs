using System.Text.Json.Serialization;

namespace Concur.Cli.Bench;

/// <summary>Everything one <c>concur bench primes</c> run measured: the object <c>--json</c> prints.</summary>
/// <param name="Scale">How many times the lesson's list was repeated in Concur's rows.</param>
/// <param name="Tasks">How many numbers Concur's rows checked per run.</param>
/// <param name="PythonScale">How many times the lesson's list was repeated in CPython's rows, or null without them.</param>
/// <param name="PythonTasks">How many numbers CPython's rows checked per run, or null without them.</param>
/// <param name="Runs">How many timed runs each row had.</param>
/// <param name="Processors">The logical processor count (<see cref="Environment.ProcessorCount"/>).</param>
/// <param name="WorkerCounts">The worker counts of the parallel rows.</param>
/// <param name="Python">Whether and how the CPython rows ran.</param>
/// <param name="TaskSeconds">Per runtime, each task's median time over the sequential runs (the best-schedule input).</param>
/// <param name="Rows">Every row, Concur's first, each runtime's sequential row first.</param>
internal sealed record PrimesRun(
    [property: JsonPropertyName("scale")] int Scale,
    [property: JsonPropertyName("tasks")] int Tasks,
    [property: JsonPropertyName("pythonScale")] int? PythonScale,
    [property: JsonPropertyName("pythonTasks")] int? PythonTasks,
    [property: JsonPropertyName("runs")] int Runs,
    [property: JsonPropertyName("processors")] int Processors,
    [property: JsonPropertyName("workerCounts")] IReadOnlyList<int> WorkerCounts,
    [property: JsonPropertyName("python")] PythonReport Python,
    [property: JsonPropertyName("taskSeconds")] IReadOnlyDictionary<string, IReadOnlyList<double>> TaskSeconds,
    [property: JsonPropertyName("rows")] IReadOnlyList<RowFigures> Rows);
