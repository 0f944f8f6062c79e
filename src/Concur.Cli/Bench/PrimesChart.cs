using ScottPlot;

namespace Concur.Cli.Bench;

/// <summary>Saves benchmark results as a PNG bar chart (ScottPlot; renders with SkiaSharp, no native install needed).</summary>
internal static class PrimesChart
{
    /// <summary>Writes a bar chart of the wall time of every configuration to <paramref name="path"/>.</summary>
    public static void SavePng(string path, IReadOnlyList<BenchResult> results)
    {
        var plot = new Plot();
        var bars = results.Select((r, i) => new Bar
        {
            Position = i,
            Value = r.Seconds,
            FillColor = r.Mode == BenchMode.Sequential ? Colors.Gray : Colors.SeaGreen,
            Label = $"{r.Speedup:F2}x",
        }).ToList();
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(
            [.. Enumerable.Range(0, results.Count).Select(i => (double)i)],
            [.. results.Select(r => r.Mode == BenchMode.Sequential ? r.Mode : $"{r.Mode} x{r.Workers}")]);
        plot.Axes.Margins(bottom: 0);
        plot.Title("Lesson primes: wall time (labels: speedup vs sequential)");
        plot.YLabel("seconds (median)");
        plot.SavePng(path, 900, 500);
    }
}
