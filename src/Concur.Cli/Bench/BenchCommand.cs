using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Concur.Cli.Bench;

/// <summary>Builds <c>concur bench</c> and its subcommands.</summary>
internal static class BenchCommand
{
    private static readonly int[] s_defaultWorkers = [1, 2, 4, 8, 16];

    /// <summary>Creates the <c>bench</c> command.</summary>
    /// <param name="output">Where results go (the console in normal use).</param>
    public static Command Create(TextWriter output)
    {
        var bench = new Command("bench", "Run the lesson's benchmarks.");
        bench.Subcommands.Add(CreatePrimes(output));
        return bench;
    }

    private static Command CreatePrimes(TextWriter output)
    {
        var workers = new Option<string>("--workers")
        {
            Description = "Comma-separated worker counts for the parallel modes.",
            DefaultValueFactory = _ => string.Join(',', s_defaultWorkers),
        };
        workers.Validators.Add(result =>
        {
            if (TryParseWorkers(result.GetValueOrDefault<string>(), out _) is { } error)
            {
                result.AddError(error);
            }
        });
        var repeat = new Option<int>("--repeat")
        {
            Description = "How many times each configuration runs; the median is reported.",
            DefaultValueFactory = _ => 3,
        };
        repeat.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--repeat must be at least 1.");
            }
        });
        var json = new Option<bool>("--json")
        {
            Description = "Print only a JSON array of {mode, workers, seconds, speedup, efficiency}.",
        };

        var chart = new Option<FileInfo?>("--chart")
        {
            Description = "Also save a PNG bar chart of the results to this file.",
        };

        var primes = new Command(
            "primes",
            "The lesson's prime check (trial division over six large numbers): sequential, then on thread pools of several sizes.")
        {
            workers,
            repeat,
            json,
            chart,
        };
        primes.SetAction(parse =>
        {
            TryParseWorkers(parse.GetValue(workers), out var counts);
            var repeats = parse.GetValue(repeat);
            var chartFile = parse.GetValue(chart);
            if (parse.GetValue(json))
            {
                var measured = PrimesBenchmark.Run(counts, repeats, BenchMode.All);
                PrimesReport.WriteJson(output, measured);
                if (chartFile is not null)
                {
                    PrimesChart.SavePng(chartFile.FullName, measured);
                }
                return 0;
            }
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
            var results = PrimesBenchmark.Run(
                counts,
                repeats,
                BenchMode.All,
                step => console.MarkupLine($"[grey]running {Markup.Escape(step)}...[/]"));
            PrimesReport.WriteTable(console, results, repeats);
            if (chartFile is not null)
            {
                PrimesChart.SavePng(chartFile.FullName, results);
                console.MarkupLine($"Chart saved to [blue]{Markup.Escape(chartFile.FullName)}[/]");
            }
            return 0;
        });
        return primes;
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
