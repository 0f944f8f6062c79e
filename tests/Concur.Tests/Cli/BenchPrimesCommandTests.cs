using System.Text.Json;
using Concur.Cli;
using Concur.Cli.Bench;
using Concur.Lessons;
using Concur.Tests.Support;

namespace Concur.Tests.Cli;

/// <summary>
/// <c>concur bench primes</c>, run in-process through the CLI's entry point. Only the shape of what it prints is
/// checked: no test asserts a timing.
/// </summary>
public sealed class BenchPrimesCommandTests
{
    [Fact]
    public void IsPrime_LessonNumbers_MatchLesson()
    {
        Assert.Equal(PrimesWorkload.LessonExpected, LessonPrimes.Numbers.Select(LessonPrimes.IsPrime));
    }

    [Theory]
    [InlineData(-7, false)]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(4, false)]
    [InlineData(9, false)]
    [InlineData(97, true)]
    [InlineData(1_000_000_007, true)]
    [InlineData(1_000_000_007L * 3, false)]
    public void IsPrime_SmallNumbers_Correct(long n, bool expected) => Assert.Equal(expected, LessonPrimes.IsPrime(n));

    [Fact]
    public void Workload_ScaleOne_IsTheLessonsExactList()
    {
        var workload = new PrimesWorkload(1);
        Assert.Equal(LessonPrimes.Numbers, workload.Numbers);
        Assert.Equal(PrimesWorkload.LessonExpected, workload.Expected);
    }

    [Fact]
    public void Workload_ScaleThree_RepeatsTheListInOrder()
    {
        var workload = new PrimesWorkload(3);
        Assert.Equal(18, workload.Numbers.Count);
        Assert.Equal(LessonPrimes.Numbers.Concat(LessonPrimes.Numbers).Concat(LessonPrimes.Numbers), workload.Numbers);
        Assert.Equal(workload.Numbers.Select(LessonPrimes.IsPrime), workload.Expected);
    }

    [Theory]
    [InlineData(null, null, PrimesWorkload.DefaultScale, PrimesWorkload.DefaultPythonScale)]
    [InlineData(1, null, 1, 1)]
    [InlineData(3, null, 3, 3)]
    [InlineData(null, 2, PrimesWorkload.DefaultScale, 2)]
    [InlineData(4, 2, 4, 2)]
    public void Scales_ScaleForBoth_PythonScaleForCPythonAlone(int? scale, int? pythonScale, int concur, int python) =>
        Assert.Equal((concur, python), BenchCommand.Scales(scale, pythonScale));

    [Fact]
    public void Scales_Defaults_GiveEachRuntimeAboutASecondOfSequentialWork()
    {
        // Concur checks the lesson's six numbers in about 60 ms and CPython in about 1.3 s (docs/benchmarks.md): the
        // defaults keep both sequential runs near a second, so the work outweighs a pool's start in both.
        Assert.Equal(16, PrimesWorkload.DefaultScale);
        Assert.Equal(1, PrimesWorkload.DefaultPythonScale);
    }

    [Fact]
    public void Workload_ScaleZero_Throws() => Assert.Throws<ArgumentOutOfRangeException>(() => new PrimesWorkload(0));

    [Fact]
    public void Verify_WrongAnswers_Throws()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new PrimesWorkload(1).Verify([true, true, true, true, true, true], "threads x 2"));
        Assert.Contains("threads x 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BenchPrimes_Json_KeepsEveryFigureOfEveryRow()
    {
        var (exit, output, error) = Run(PythonNotFound, "bench", "primes", "--json", "--no-python", "--scale", "1", "--workers", "1", "--runs", "2");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("scale").GetInt32());
        Assert.Equal(6, root.GetProperty("tasks").GetInt32());
        Assert.Equal(2, root.GetProperty("runs").GetInt32());
        Assert.Equal(Environment.ProcessorCount, root.GetProperty("processors").GetInt32());
        Assert.Equal([1], root.GetProperty("workerCounts").EnumerateArray().Select(w => w.GetInt32()));
        Assert.Equal(PythonReport.Skipped, root.GetProperty("python").GetProperty("status").GetString());
        Assert.Equal(6, root.GetProperty("taskSeconds").GetProperty("Concur").GetArrayLength());

        var rows = root.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(
            [
                ("Concur", "sequential", 1, "none"),
                ("Concur", "threads", 1, "cold"),
                ("Concur", "threads", 1, "warm"),
                ("Concur", "processes", 1, "cold"),
                ("Concur", "processes", 1, "warm"),
            ],
            rows.Select(r => (r.GetProperty("runtime").GetString(), r.GetProperty("mode").GetString(), r.GetProperty("workers").GetInt32(), r.GetProperty("start").GetString())));
        Assert.All(rows, r =>
        {
            var samples = r.GetProperty("samples").EnumerateArray().Select(s => s.GetDouble()).ToArray();
            Assert.Equal(2, samples.Length);
            Assert.Equal(samples.Min(), r.GetProperty("min").GetDouble());
            Assert.Equal(samples.Max(), r.GetProperty("max").GetDouble());
            Assert.Equal(samples.Average(), r.GetProperty("median").GetDouble(), 12);
            foreach (var name in new[] { "speedup", "efficiency", "bestSeconds", "vsBest" })
            {
                Assert.True(r.GetProperty(name).GetDouble() > 0, name);
            }
            Assert.Equal(ScheduleBound.Optimal, r.GetProperty("bestMethod").GetString());
        });
        Assert.Equal(1.0, rows[0].GetProperty("speedup").GetDouble());
    }

    [Fact]
    public void BenchPrimes_PythonAbsent_PrintsTheTableAndSaysSo()
    {
        var (exit, output, error) = Run(PythonNotFound, "bench", "primes", "--scale", "1", "--workers", "1", "--runs", "1");

        Assert.True(exit == 0, error);
        Assert.Contains("Concur sequential", output, StringComparison.Ordinal);
        Assert.Contains("Concur threads x 1 cold", output, StringComparison.Ordinal);
        Assert.Contains("Concur processes x 1 warm", output, StringComparison.Ordinal);
        Assert.Contains("vs best", output, StringComparison.Ordinal);
        Assert.Contains("python3 is not on PATH", output, StringComparison.Ordinal);
        Assert.Contains("--no-python", output, StringComparison.Ordinal);
        Assert.DoesNotContain("CPython sequential", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1,x")]
    [InlineData(",")]
    [InlineData("2,2")]
    public void BenchPrimes_InvalidWorkers_FailsBeforeRunning(string workers)
    {
        var (exit, output, error) = Run(PythonNotFound, "bench", "primes", "--workers", workers);
        Assert.NotEqual(0, exit);
        Assert.Contains("--workers", error, StringComparison.Ordinal);
        Assert.DoesNotContain("running Concur", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--runs", "0", "--runs")]
    [InlineData("--repeat", "0", "--runs")]
    [InlineData("--scale", "0", "--scale")]
    [InlineData("--scale", "-3", "--scale")]
    [InlineData("--python-scale", "0", "--python-scale")]
    public void BenchPrimes_OptionBelowOne_FailsBeforeRunning(string option, string value, string named)
    {
        var (exit, output, error) = Run(PythonNotFound, "bench", "primes", option, value);
        Assert.NotEqual(0, exit);
        Assert.Contains(named, error, StringComparison.Ordinal);
        Assert.DoesNotContain("running Concur", output, StringComparison.Ordinal);
    }

    [Fact]
    public void BenchPrimes_ChartInMissingFolder_FailsBeforeRunning()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"concur-missing-{Guid.NewGuid():N}", "primes.png");
        var (exit, output, error) = Run(PythonNotFound, "bench", "primes", "--chart", missing);

        Assert.NotEqual(0, exit);
        Assert.Contains("--chart", error, StringComparison.Ordinal);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
        Assert.DoesNotContain("running Concur", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(missing)));
    }

    [Fact]
    public void BenchPrimesHelp_DescribesWhatRuns()
    {
        var (exit, output, _) = Run(PythonNotFound, "bench", "primes", "--help");
        Assert.Equal(0, exit);
        foreach (var expected in new[] { "--scale", "--python-scale", "--runs", "--workers", "--no-python", "--json", "--chart", "cold", "warm", "CPython", "python3", "thread pool", "process pool", "best possible schedule" })
        {
            Assert.Contains(expected, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Help_NamesTheToolConcur()
    {
        var (exit, output, _) = Run(PythonNotFound, "--help");
        Assert.Equal(0, exit);
        Assert.Contains("concur [command]", output, StringComparison.Ordinal);
        Assert.Contains("bench", output, StringComparison.Ordinal);
    }

    private static string? PythonNotFound() => null;

    /// <summary>Runs the CLI in-process; a run that does not end within the suite's bound fails the test.</summary>
    internal static (int Exit, string Output, string Error) Run(Func<string?> findPython, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = Bounded.Result(Task.Run(() => ConcurApp.Run(args, output, error, findPython)));
        return (exit, output.ToString(), error.ToString());
    }
}
