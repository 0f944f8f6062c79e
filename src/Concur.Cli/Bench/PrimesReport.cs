using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Concur.Cli.Bench;

/// <summary>Prints benchmark results as a table and bar chart, or as JSON.</summary>
internal static class PrimesReport
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    /// <summary>Writes the results as a JSON array of <see cref="BenchResult"/> objects, and nothing else.</summary>
    public static void WriteJson(TextWriter output, IReadOnlyList<BenchResult> results) =>
        output.WriteLine(JsonSerializer.Serialize(results, s_json));

    /// <summary>Writes a table (mode, workers, seconds, speedup, efficiency) and a bar chart of the wall times.</summary>
    public static void WriteTable(IAnsiConsole console, IReadOnlyList<BenchResult> results, int repeat)
    {
        var table = new Table()
            .Title($"Lesson primes: {Primes.Numbers.Count} numbers, median of {repeat}")
            .AddColumn("mode")
            .AddColumn(new TableColumn("workers").RightAligned())
            .AddColumn(new TableColumn("seconds").RightAligned())
            .AddColumn(new TableColumn("speedup").RightAligned())
            .AddColumn(new TableColumn("efficiency").RightAligned());
        foreach (var r in results)
        {
            table.AddRow(
                r.Mode,
                r.Workers.ToString(CultureInfo.InvariantCulture),
                r.Seconds.ToString("F3", CultureInfo.InvariantCulture),
                r.Speedup.ToString("F2", CultureInfo.InvariantCulture) + "x",
                r.Efficiency.ToString("P0", CultureInfo.InvariantCulture));
        }
        console.Write(table);

        // Values go into the labels: a bar that shows its value leaves out as many cells as the value takes, so short
        // bars would vanish.
        var chart = new BarChart()
            .Width(72)
            .Label("wall time (s), shorter is faster")
            .HideValues()
            .WithMaxValue(results.Max(r => r.Seconds));
        foreach (var r in results)
        {
            var name = r.Mode == BenchMode.Sequential ? r.Mode : $"{r.Mode} x {r.Workers}";
            var label = $"{name} {r.Seconds.ToString("F3", CultureInfo.InvariantCulture)}";
            var color = r.Mode == BenchMode.Sequential ? Color.Grey : Color.Green;
            chart.AddItem(label, Math.Round(r.Seconds, 3), color);
        }
        console.WriteLine();
        console.Write(chart);
        console.MarkupLine(
            $"[grey]{Environment.ProcessorCount} logical processors. Threads share one process; for CPU-bound work .NET threads run in parallel (no GIL), so speedup stops near the processor count. Process timings include starting and stopping the pool, as in the lesson.[/]");
    }
}
