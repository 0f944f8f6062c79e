using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Concur.Cli.Bench;

/// <summary>Builds <c>concur bench</c> and its subcommands.</summary>
internal static class BenchCommand
{
    /// <summary>The runs per row when <c>--runs</c> is not given: enough for a median with a spread.</summary>
    public const int DefaultRuns = 5;

    /// <summary>Creates the <c>bench</c> command.</summary>
    /// <param name="output">Where results go (the console in normal use).</param>
    /// <param name="findPython">Finds python3 (the PATH in normal use; tests pass their own).</param>
    public static Command Create(TextWriter output, Func<string?> findPython)
    {
        var bench = new Command("bench", "Run the lesson's benchmarks.");
        bench.Subcommands.Add(CreatePrimes(output, findPython));
        return bench;
    }

    private static Command CreatePrimes(TextWriter output, Func<string?> findPython)
    {
        var workers = new Option<string>("--workers")
        {
            Description = "Comma-separated worker counts for the parallel rows; the default is the processor count. The lesson compares 2,4,8,16.",
            DefaultValueFactory = _ => Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
        };
        workers.Validators.Add(result =>
        {
            if (TryParseWorkers(result.GetValueOrDefault<string>(), out _) is { } error)
            {
                result.AddError(error);
            }
        });
        var scale = new Option<int?>("--scale")
        {
            Description = $"How many times the lesson's six numbers are repeated, for both runtimes; 1 is the lesson's exact list. "
                + $"Without it Concur's rows use {PrimesWorkload.DefaultScale} (its sequential run then takes about a second on a 2-core "
                + $"server, so the work outweighs starting a pool) and CPython's rows {PrimesWorkload.DefaultPythonScale} (which already "
                + "takes CPython about a second); the table then compares speedups and numbers per second.",
        };
        scale.Validators.Add(result => RequireScale(result, "--scale"));
        var pythonScale = new Option<int?>("--python-scale")
        {
            Description = "The scale of CPython's rows alone (the default is --scale when given, else "
                + $"{PrimesWorkload.DefaultPythonScale}); CPython takes about 1.3 s per unit on a quiet 2-core server.",
        };
        pythonScale.Validators.Add(result => RequireScale(result, "--python-scale"));
        var runs = new Option<int>("--runs", "--repeat")
        {
            Description = "Timed runs per row; the table shows their min, median and max.",
            DefaultValueFactory = _ => DefaultRuns,
        };
        runs.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--runs must be at least 1 (5 or more give a useful spread).");
            }
        });
        var noPython = new Option<bool>("--no-python")
        {
            Description = "Skip the CPython rows (by default, when python3 is on PATH, the lesson's own Python programs run beside Concur's).",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print only one JSON object with every run's time and every derived figure (no table, no progress lines).",
        };
        var chart = new Option<FileInfo?>("--chart")
        {
            Description = "Also save a PNG chart of the speedups to this file; the path is checked before the run starts.",
        };
        chart.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<FileInfo?>() is { } file && ChartPath.Check(file.FullName) is { } error)
            {
                result.AddError(error);
            }
        });

        var cluster = new Option<int>("--cluster")
        {
            Description = "Also run cluster rows: an embedded cluster of this many node processes on this machine (started once, "
                + "outside the timings), and a ClusterExecutor on it with each worker count, cold and warm.",
        };
        cluster.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--cluster must be a number of nodes, at least 1 (for example --cluster 2).");
            }
        });

        var primes = new Command(
            "primes",
            "The lesson's prime check (trial division over its six large numbers, repeated --scale times): sequential, "
            + "then on Concur's thread pool and process pool with each worker count, each cold (pool start and shutdown "
            + "timed, as in the lesson) and warm (pool already running); beside them, when python3 is on PATH, the "
            + "lesson's own CPython programs (sequential, ThreadPoolExecutor, ProcessPoolExecutor) on the lesson's numbers, "
            + "their runs alternating with Concur's so machine load weighs on both alike. Prints min/median/max per row, "
            + "speedup, and efficiency against the best possible schedule of the tasks.")
        {
            workers,
            scale,
            pythonScale,
            runs,
            noPython,
            json,
            chart,
            cluster,
        };
        primes.SetAction(parse =>
        {
            TryParseWorkers(parse.GetValue(workers), out var counts);
            var (concurScale, cpythonScale) = Scales(parse.GetValue(scale), parse.GetValue(pythonScale));
            var options = new PrimesOptions(
                new PrimesWorkload(concurScale),
                new PrimesWorkload(cpythonScale),
                counts,
                parse.GetValue(runs),
                parse.GetValue(noPython),
                parse.GetValue(chart)?.FullName,
                parse.GetValue(cluster));
            if (parse.GetValue(json))
            {
                var measured = PrimesCommand.Measure(options, findPython, onProgress: null);
                PrimesReport.WriteJson(output, measured);
                if (options.ChartPath is not null)
                {
                    PrimesChart.SavePng(options.ChartPath, measured);
                }
                return 0;
            }
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
            if (!ReferenceEquals(output, Console.Out) || Console.IsOutputRedirected)
            {
                // Not a terminal (a file, a pipe, a test): no width to detect, so keep the table on one line per row.
                console.Profile.Width = 110;
            }
            var run = PrimesCommand.Measure(options, findPython, step => console.MarkupLine($"[grey]running {Markup.Escape(step)}...[/]"));
            PrimesReport.WriteTable(console, run);
            if (options.ChartPath is not null)
            {
                PrimesChart.SavePng(options.ChartPath, run);
                console.MarkupLine($"Chart saved to [blue]{Markup.Escape(options.ChartPath)}[/]");
            }
            return 0;
        });
        return primes;
    }

    /// <summary>
    /// The scales of Concur's and CPython's rows: <c>--scale</c> for both when given, <c>--python-scale</c> for CPython's
    /// when given, else each runtime's default (<see cref="PrimesWorkload.DefaultScale"/>, <see cref="PrimesWorkload.DefaultPythonScale"/>).
    /// </summary>
    internal static (int Concur, int Python) Scales(int? scale, int? pythonScale) =>
        (scale ?? PrimesWorkload.DefaultScale, pythonScale ?? scale ?? PrimesWorkload.DefaultPythonScale);

    private static void RequireScale(System.CommandLine.Parsing.OptionResult result, string name)
    {
        if (result.GetValueOrDefault<int?>() is < 1)
        {
            result.AddError($"{name} must be at least 1 (1 is the lesson's exact list).");
        }
    }

    /// <summary>Parses "1,2,4"; returns an error message, or null on success.</summary>
    internal static string? TryParseWorkers(string? text, out int[] counts)
    {
        counts = [];
        if (string.IsNullOrWhiteSpace(text))
        {
            return "--workers needs at least one worker count, e.g. --workers 1,2,4.";
        }
        var parsed = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
            {
                return $"--workers: '{part}' is not a positive whole number; use a list such as 1,2,4.";
            }
            if (parsed.Contains(n))
            {
                return $"--workers: {n} is listed twice.";
            }
            parsed.Add(n);
        }
        if (parsed.Count == 0)
        {
            return "--workers needs at least one worker count, e.g. --workers 1,2,4.";
        }
        counts = [.. parsed];
        return null;
    }
}
