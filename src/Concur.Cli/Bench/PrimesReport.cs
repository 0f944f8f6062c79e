using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Concur.Cli.Bench;

/// <summary>Prints a run as a table, a speedup chart and what it shows, or as JSON.</summary>
internal static class PrimesReport
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    /// <summary>Writes the run as one JSON object (<see cref="PrimesRun"/>), and nothing else.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="run">The run.</param>
    public static void WriteJson(TextWriter output, PrimesRun run) => output.WriteLine(JsonSerializer.Serialize(run, s_json));

    /// <summary>Writes the table of every row, a bar chart of the speedups, and the lines that explain them.</summary>
    /// <param name="console">Where to write.</param>
    /// <param name="run">The run.</param>
    public static void WriteTable(IAnsiConsole console, PrimesRun run)
    {
        var table = new Table()
            .Title($"Lesson primes, {Work(run)}: {run.Runs} runs per row, {run.Processors} processors")
            .AddColumn("row")
            .AddColumn(new TableColumn("median s").RightAligned())
            .AddColumn(new TableColumn("min-max s").RightAligned())
            .AddColumn(new TableColumn("numbers/s").RightAligned())
            .AddColumn(new TableColumn("speedup").RightAligned())
            .AddColumn(new TableColumn("/worker").RightAligned())
            .AddColumn(new TableColumn("best s").RightAligned())
            .AddColumn(new TableColumn("vs best").RightAligned());
        foreach (var r in run.Rows)
        {
            table.AddRow(
                Markup.Escape($"{r.Runtime} {r.Label}"),
                Seconds(r.Median),
                $"{Seconds(r.Min)}-{Seconds(r.Max)}",
                Rate(r.NumbersPerSecond),
                X(r.Speedup),
                r.Efficiency.ToString("P0", CultureInfo.InvariantCulture),
                Seconds(r.BestSeconds) + (r.BestMethod == ScheduleBound.Lpt ? " LPT" : ""),
                r.VsBest.ToString("P0", CultureInfo.InvariantCulture));
        }
        console.Write(table);
        console.WriteLine();
        WriteSpeedupChart(console, run);
        console.WriteLine();
        foreach (var line in Explanation(run))
        {
            console.MarkupLine($"[grey]{Markup.Escape(line)}[/]");
        }
        foreach (var line in Findings(run))
        {
            console.MarkupLine(Markup.Escape(line));
        }
        console.MarkupLine(run.Python.Status == PythonReport.Ran ? Markup.Escape(run.Python.Message) : $"[yellow]{Markup.Escape(run.Python.Message)}[/]");
    }

    /// <summary>The lines under the table that say what each column means.</summary>
    /// <param name="run">The run.</param>
    internal static IEnumerable<string> Explanation(PrimesRun run)
    {
        var methods = run.Rows.Select(r => r.BestMethod).Distinct().ToArray();
        var how = methods.Length == 1 && methods[0] == ScheduleBound.Optimal
            ? "the optimal schedule (exhaustive search)"
            : "the optimal schedule where the search finished, else the LPT schedule (marked)";
        yield return $"min/median/max: wall time of {run.Runs} runs. numbers/s: numbers checked per second at the median. speedup: the same runtime's sequential median / this median. /worker: speedup / workers.";
        if (run.PythonScale is { } pythonScale && pythonScale != run.Scale)
        {
            yield return $"The runtimes checked different amounts of work (Concur the lesson's list x{run.Scale}, CPython x{pythonScale}, each about a second sequentially): "
                + "compare their speedups and numbers/s, not their seconds; --scale N runs both on the same numbers.";
        }
        yield return $"best s: {how} of these tasks on that many workers and {run.Processors} processors, from each runtime's measured per-task times; vs best: best / median (100 % = nothing lost to start-up, overhead or imbalance).";
        yield return "cold: the pool is created and shut down inside each run, as the lesson's `with ProcessPoolExecutor() as pool:`. warm: one pool, every worker had run a task before the timed runs.";
    }

    /// <summary>What the run shows, worked out from its figures: one line per runtime at the largest worker count up to the processor count.</summary>
    /// <param name="run">The run.</param>
    internal static IEnumerable<string> Findings(PrimesRun run)
    {
        var candidates = run.WorkerCounts.Where(w => w >= 2 && w <= run.Processors).ToArray();
        if (candidates.Length == 0)
        {
            yield break;
        }
        var workers = candidates.Max();
        foreach (var runtime in run.Rows.Select(r => r.Runtime).Distinct())
        {
            RowFigures? Find(string mode, string start) =>
                run.Rows.FirstOrDefault(r => r.Runtime == runtime && r.Mode == mode && r.Workers == workers && r.Start == start);
            var threads = Find("threads", Starts.Warm);
            var warm = Find("processes", Starts.Warm);
            var cold = Find("processes", Starts.Cold);
            if (threads is null || warm is null || cold is null)
            {
                continue;
            }
            var sequential = run.Rows.First(r => r.Runtime == runtime && r.Mode == BenchMode.Sequential);
            var best = sequential.BestSeconds / threads.BestSeconds;
            var threadNote = runtime == Runtimes.CPython ? " (the GIL: one thread at a time runs Python code)" : " (no GIL: .NET threads run in parallel)";
            var start = cold.Median - warm.Median;
            var startNote = start > 0 ? $"starting and stopping the pool adds {Seconds(start)} s" : "no cost of starting the pool rose above the noise";
            yield return $"{runtime} on {workers} workers: threads {X(threads.Speedup)}{threadNote}, processes {X(warm.Speedup)} warm and {X(cold.Speedup)} cold " +
                $"({startNote}); the best schedule of these tasks allows {X(best)}.";
        }
    }

    private static void WriteSpeedupChart(IAnsiConsole console, PrimesRun run)
    {
        var chart = new BarChart()
            .Width(72)
            .Label("speedup over the same runtime's sequential median (longer is faster)")
            .HideValues()
            .WithMaxValue(Math.Max(1, run.Rows.Max(r => r.Speedup)));
        foreach (var r in run.Rows.Where(r => r.Mode != BenchMode.Sequential))
        {
            chart.AddItem($"{r.Runtime} {r.Label} {X(r.Speedup)}", Math.Round(r.Speedup, 2), ColorOf(r));
        }
        console.Write(chart);
    }

    private static Color ColorOf(RowFigures row) => (row.Runtime, row.Mode, row.Start) switch
    {
        (Runtimes.Concur, "threads", Starts.Warm) => Color.DodgerBlue1,
        (Runtimes.Concur, "threads", _) => Color.SteelBlue,
        (Runtimes.Concur, _, Starts.Warm) => Color.Green1,
        (Runtimes.Concur, _, _) => Color.DarkSeaGreen4,
        (_, "threads", Starts.Warm) => Color.Orange1,
        (_, "threads", _) => Color.Orange4,
        (_, _, Starts.Warm) => Color.Red1,
        _ => Color.Red3,
    };

    /// <summary>The work of each runtime's rows, for the title: "x16, 96 numbers" or, when CPython's differs, both.</summary>
    internal static string Work(PrimesRun run) => run.PythonScale is { } pythonScale && pythonScale != run.Scale
        ? $"{Runtimes.Concur} x{run.Scale} ({run.Tasks} numbers), {Runtimes.CPython} x{pythonScale} ({run.PythonTasks} numbers)"
        : $"x{run.Scale}, {run.Tasks} numbers";

    private static string Rate(double perSecond) => perSecond >= 1000
        ? perSecond.ToString("N0", CultureInfo.InvariantCulture)
        : perSecond.ToString(perSecond >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture);

    private static string Seconds(double seconds) => seconds.ToString(seconds < 10 ? "F3" : "F2", CultureInfo.InvariantCulture);

    private static string X(double speedup) => speedup.ToString("F2", CultureInfo.InvariantCulture) + "x";
}
