using System.Globalization;
using ScottPlot;

namespace Concur.Cli.Bench;

/// <summary>
/// Saves the run as a PNG bar chart (ScottPlot, rendered with SkiaSharp): the speedup of every parallel row over its
/// own runtime's sequential median, grouped by worker count, one colour per runtime and mode, cold rows striped and
/// warm rows solid, whiskers from the fastest to the slowest run, and the best possible speedup of that schedule
/// as a dashed line over each runtime's bars.
/// </summary>
internal static class PrimesChart
{
    private const double BarWidth = 0.8;

    /// <summary>Gets one colour per runtime and mode, in the order of the bars.</summary>
    private static readonly (string Runtime, string Mode, Color Color)[] s_series =
    [
        (Runtimes.Concur, "threads", Color.FromHex("#1f77b4")),
        (Runtimes.Concur, "processes", Color.FromHex("#2ca02c")),
        (Runtimes.CPython, "threads", Color.FromHex("#ff7f0e")),
        (Runtimes.CPython, "processes", Color.FromHex("#d62728")),
    ];

    /// <summary>Writes the chart of <paramref name="run"/> to <paramref name="path"/>.</summary>
    /// <param name="path">The PNG file to write (checked beforehand with <see cref="ChartPath.Check"/>).</param>
    /// <param name="run">The run to draw.</param>
    public static void SavePng(string path, PrimesRun run)
    {
        var plot = Build(run, out var width);
        plot.SavePng(path, width, 620);
    }

    /// <summary>Builds the plot (separate from saving, so the layout can be checked without a file).</summary>
    /// <param name="run">The run to draw.</param>
    /// <param name="width">The image width that keeps the labels readable, in pixels.</param>
    internal static Plot Build(PrimesRun run, out int width)
    {
        var plot = new Plot();
        var series = s_series.Where(s => run.Rows.Any(r => r.Runtime == s.Runtime && r.Mode == s.Mode)).ToArray();
        var slots = (series.Length * 2) + 1.5; // two bars (cold, warm) per series, then a gap
        var bars = new List<Bar>();
        var whiskers = new List<(double X, double Y, double Down, double Up)>();
        var ticks = new List<(double Position, string Label)>();
        for (var g = 0; g < run.WorkerCounts.Count; g++)
        {
            var workers = run.WorkerCounts[g];
            var groupStart = g * slots;
            for (var s = 0; s < series.Length; s++)
            {
                var (runtime, mode, color) = series[s];
                var left = groupStart + (2 * s);
                foreach (var (start, offset) in new[] { (Starts.Cold, 0), (Starts.Warm, 1) })
                {
                    var row = run.Rows.FirstOrDefault(r => r.Runtime == runtime && r.Mode == mode && r.Workers == workers && r.Start == start);
                    if (row is null)
                    {
                        continue;
                    }
                    var fastest = row.Speedup * row.Median / row.Min;
                    var slowest = row.Speedup * row.Median / row.Max;
                    bars.Add(new Bar
                    {
                        Position = left + offset,
                        Value = row.Speedup,
                        Size = BarWidth,
                        FillColor = start == Starts.Cold ? color.WithAlpha(0.35) : color,
                        FillHatch = start == Starts.Cold ? new ScottPlot.Hatches.Striped() : null,
                        FillHatchColor = color,
                        LineColor = color,
                        LineWidth = 1,
                        Label = row.Speedup.ToString("F2", CultureInfo.InvariantCulture) + "x",
                        CenterLabel = true,
                    });
                    whiskers.Add((left + offset, row.Speedup, row.Speedup - slowest, fastest - row.Speedup));
                }
                ticks.Add((left + 0.5, $"{runtime}\n{mode}\n{workers} worker{(workers == 1 ? "" : "s")}"));
            }
            AddBestLines(plot, run, workers, groupStart, series);
        }
        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 14;
        barPlot.ValueLabelStyle.Bold = true;
        // ScottPlot's ErrorBar takes each axis's error above the value first, then below it.
        var errorBars = new ScottPlot.Plottables.ErrorBar(
            [.. whiskers.Select(w => w.X)],
            [.. whiskers.Select(w => w.Y)],
            null,
            null,
            [.. whiskers.Select(w => w.Up)],
            [.. whiskers.Select(w => w.Down)]);
        errorBars.Color = Colors.Black;
        plot.Add.Plottable(errorBars);
        var one = plot.Add.HorizontalLine(1);
        one.LineColor = Colors.Gray;
        one.LinePattern = LinePattern.Dotted;

        plot.Axes.Bottom.SetTicks([.. ticks.Select(t => t.Position)], [.. ticks.Select(t => t.Label)]);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
        plot.Axes.Margins(bottom: 0, top: 0.12);
        plot.Title($"Lesson primes, {PrimesReport.Work(run)}, {run.Processors} processors: speedup");
        plot.Axes.Title.Label.FontSize = 16;
        plot.YLabel($"x own sequential (median of {run.Runs}, whiskers min-max)");
        plot.Axes.Left.Label.FontSize = 14;

        foreach (var (runtime, mode, color) in series)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{runtime} {mode}", FillColor = color, LineColor = color });
        }
        plot.Legend.ManualItems.Add(new LegendItem
        {
            LabelText = "striped: cold, pool start and shutdown timed",
            FillColor = Colors.Gray.WithAlpha(0.35),
            FillHatch = new ScottPlot.Hatches.Striped(),
            FillHatchColor = Colors.Gray,
        });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "solid: warm, pool already running", FillColor = Colors.Gray });
        plot.Legend.ManualItems.Add(new LegendItem
        {
            LabelText = "dashed: best possible schedule of these tasks",
            LineColor = Colors.Black,
            LinePattern = LinePattern.Dashed,
            LineWidth = 2,
        });
        plot.Legend.ManualItems.Add(new LegendItem
        {
            LabelText = SequentialCaption(run),
            LineColor = Colors.Gray,
            LinePattern = LinePattern.Dotted,
            LineWidth = 2,
        });
        plot.Legend.FontSize = 13;
        plot.ShowLegend(Edge.Right);

        width = Math.Max(1100, 560 + (ticks.Count * 160));
        return plot;
    }

    private static void AddBestLines(Plot plot, PrimesRun run, int workers, double groupStart, (string Runtime, string Mode, Color Color)[] series)
    {
        foreach (var runtime in series.Select(s => s.Runtime).Distinct())
        {
            var sequential = run.Rows.FirstOrDefault(r => r.Runtime == runtime && r.Mode == BenchMode.Sequential);
            var any = run.Rows.FirstOrDefault(r => r.Runtime == runtime && r.Workers == workers && r.Mode != BenchMode.Sequential);
            if (sequential is null || any is null)
            {
                continue;
            }
            var indexes = series.Select((s, i) => (s, i)).Where(x => x.s.Runtime == runtime).Select(x => x.i).ToArray();
            var left = groupStart + (2 * indexes.Min()) - (BarWidth / 2);
            var right = groupStart + (2 * indexes.Max()) + 1 + (BarWidth / 2);
            // The sequential row's best is the sum of the task times: the schedule's own speedup, free of timer noise.
            var best = sequential.BestSeconds / any.BestSeconds;
            var line = plot.Add.Line(left, best, right, best);
            line.LineColor = Colors.Black;
            line.LinePattern = LinePattern.Dashed;
            line.LineWidth = 2;
        }
    }

    private static string SequentialCaption(PrimesRun run)
    {
        var parts = run.Rows
            .Where(r => r.Mode == BenchMode.Sequential)
            .Select(r => $"{r.Runtime} {r.Median.ToString("F3", CultureInfo.InvariantCulture)} s");
        return $"1x = sequential ({string.Join(", ", parts)})";
    }
}
