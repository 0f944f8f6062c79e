using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Concur.Lessons;
using Concur.Tests.Support;

namespace Concur.Tests.Lessons;

/// <summary>
/// The lesson programs share "module-level" static state, as their Python originals share globals: the lesson tests
/// run one at a time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LessonCollection
{
    public const string Name = "Lessons";
}

/// <summary>Runs lesson programs with a bound on the time they may take.</summary>
internal static partial class LessonHarness
{
    /// <summary>Runs the lesson in-process and returns what it printed; fails if it does not end within <see cref="Bounded.Limit"/>.</summary>
    public static string Run(Lesson lesson)
    {
        using var stop = new CancellationTokenSource();
        var run = Task.Factory.StartNew(() => lesson.RunToString(stop.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (!run.Wait(Bounded.Limit))
        {
            stop.Cancel();
            throw new TimeoutException($"Lesson {lesson.Name} did not finish within {Bounded.Limit.TotalSeconds} s.");
        }
        return run.Result;
    }

    /// <summary>
    /// Runs <c>concur lesson run &lt;name&gt;</c> as a separate process and returns its standard output, which also
    /// holds what the lesson's child processes printed (they inherit it, as Python's children do).
    /// </summary>
    public static string RunCli(string name)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "Concur.Cli.dll");
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(cli);
        start.ArgumentList.Add("lesson");
        start.ArgumentList.Add("run");
        start.ArgumentList.Add(name);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the CLI");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // "all" runs every lesson one after the other, each starting its own processes: 23-41 s on two cores at load
        // 20, so it gets four times the usual bound (still under CI's three-minute hang guard); one lesson, the usual.
        var limit = name == "all" ? Bounded.Limit * 4 : Bounded.Limit;
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"concur lesson run {name} did not finish within {limit.TotalSeconds} s.");
        }
        var output = Bounded.Result(stdout);
        var error = Bounded.Result(stderr);
        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}; stderr: {error}; stdout: {output}");
        Assert.True(error.Length == 0, $"stderr: {error}");
        return output;
    }

    /// <summary>The lines of <paramref name="text"/>, without blank ones.</summary>
    public static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>How often <paramref name="word"/> occurs in <paramref name="text"/>.</summary>
    public static int Count(string text, string word) => Regex.Count(text, Regex.Escape(word));

    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }
        return "dotnet";
    }
}
