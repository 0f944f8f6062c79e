using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Concur.Cli.Bench;

/// <summary>
/// Runs the lesson's own Python programs (lesson_primes.py, embedded in this tool) with python3: the same numbers,
/// worker counts and number of runs as Concur's rows, each configuration cold and warm.
/// </summary>
internal static class CPythonPrimes
{
    private const string ScriptResource = "Concur.Cli.Bench.lesson_primes.py";

    /// <summary>Runs the script and collects its rows.</summary>
    /// <param name="python">The python3 executable.</param>
    /// <param name="workload">The numbers (the script repeats the lesson's list <see cref="PrimesWorkload.Scale"/> times).</param>
    /// <param name="workerCounts">The worker counts.</param>
    /// <param name="runs">The timed runs per configuration.</param>
    /// <param name="bound">How long the script may run before it is stopped.</param>
    /// <param name="onProgress">Called with a description as each row arrives.</param>
    /// <returns>The rows and per-task times (null if the script failed) and the report of what ran.</returns>
    public static (RuntimeResult? Result, PythonReport Report) Run(
        string python,
        PrimesWorkload workload,
        IReadOnlyList<int> workerCounts,
        int runs,
        TimeSpan bound,
        Action<string>? onProgress = null)
    {
        var folder = Directory.CreateTempSubdirectory("concur-bench-");
        try
        {
            var script = Path.Combine(folder.FullName, "lesson_primes.py");
            using (var resource = typeof(CPythonPrimes).Assembly.GetManifestResourceStream(ScriptResource)
                ?? throw new InvalidOperationException($"The tool is missing its embedded {ScriptResource}."))
            using (var file = File.Create(script))
            {
                resource.CopyTo(file);
            }
            var arguments = JsonSerializer.Serialize(new { scale = workload.Scale, workers = workerCounts, runs });
            return RunScript(python, script, arguments, workload, 1 + (4 * workerCounts.Count), bound, onProgress);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static (RuntimeResult? Result, PythonReport Report) RunScript(
        string python, string script, string arguments, PrimesWorkload workload, int expectedRows, TimeSpan bound, Action<string>? onProgress)
    {
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-u");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(arguments);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{python} did not start.");
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (errors)
                {
                    errors.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();

        var rows = new List<BenchRow>();
        IReadOnlyList<double> taskSeconds = [];
        string? version = null, startMethod = null, problem = null;
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            while (process.StandardOutput.ReadLineAsync(timeout.Token).AsTask().GetAwaiter().GetResult() is { } line)
            {
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                switch (root.GetProperty("kind").GetString())
                {
                    case "info":
                        version = root.GetProperty("version").GetString();
                        startMethod = root.GetProperty("startMethod").GetString();
                        continue;
                    case "start":
                        onProgress?.Invoke(Describe(ReadRow(root, samples: [])));
                        continue;
                    default:
                        break;
                }
                var row = ReadRow(root, [.. root.GetProperty("samples").EnumerateArray().Select(s => s.GetDouble())]);
                if (row.Mode == BenchMode.Sequential)
                {
                    workload.Verify([.. root.GetProperty("results").EnumerateArray().Select(r => r.GetBoolean())], $"{Runtimes.CPython} {BenchMode.Sequential}");
                    taskSeconds = [.. root.GetProperty("taskSeconds").EnumerateArray().Select(s => s.GetDouble())];
                }
                rows.Add(row);
            }
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                problem = "python3 did not exit after its last row";
            }
            else if (process.ExitCode != 0)
            {
                problem = $"python3 exited with code {process.ExitCode.ToString(CultureInfo.InvariantCulture)}";
            }
            else if (rows.Count != expectedRows || rows[0].Mode != BenchMode.Sequential)
            {
                problem = $"python3 delivered {rows.Count.ToString(CultureInfo.InvariantCulture)} of {expectedRows.ToString(CultureInfo.InvariantCulture)} rows";
            }
        }
        catch (OperationCanceledException)
        {
            problem = $"python3 took longer than {bound.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)} s and was stopped";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            problem = $"python3's output could not be used ({e.Message})";
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }

        if (problem is not null)
        {
            string detail;
            lock (errors)
            {
                detail = LastLine(errors.ToString());
            }
            var message = $"CPython rows incomplete: {problem}" + (detail.Length > 0 ? $": {detail}" : ".");
            return (null, new PythonReport(PythonReport.Failed, python, version, startMethod, message));
        }
        var report = new PythonReport(
            PythonReport.Ran,
            python,
            version,
            startMethod,
            $"CPython {version} ({python}), start method {startMethod}: the lesson's own programs, same numbers, worker counts and runs.");
        return (new RuntimeResult(rows, taskSeconds), report);
    }

    private static BenchRow ReadRow(JsonElement root, IReadOnlyList<double> samples) => new(
        Runtimes.CPython,
        root.GetProperty("mode").GetString()!,
        root.GetProperty("workers").GetInt32(),
        root.GetProperty("start").GetString()!,
        samples);

    private static string Describe(BenchRow row) =>
        row.Mode == BenchMode.Sequential ? $"{row.Runtime} {row.Mode}" : $"{row.Runtime} {row.Mode} x {row.Workers} ({row.Start})";

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
}
