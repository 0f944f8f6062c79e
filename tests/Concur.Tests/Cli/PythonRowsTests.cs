using System.Text.Json;
using Concur.Cli.Bench;

namespace Concur.Tests.Cli;

/// <summary>
/// The CPython side of <c>bench primes</c> without CPython's timings: a stand-in python3 (a shell script) prints
/// rows in the script's protocol, or fails, and the report shows them or says what went wrong.
/// </summary>
public sealed class PythonRowsTests
{
    private const string Info = """{"kind": "info", "version": "3.99.0", "startMethod": "fork"}""";

    [Fact]
    public void Find_EmptyOrMissingPath_FindsNothing()
    {
        Assert.Null(PythonLocator.Find(null));
        Assert.Null(PythonLocator.Find(""));
        Assert.Null(PythonLocator.Find(Path.Combine(Path.GetTempPath(), $"concur-missing-{Guid.NewGuid():N}")));
    }

    [Fact]
    public void Find_FolderWithPython3_FindsIt()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // The stand-in is a shell script.
        }
        var folder = Directory.CreateTempSubdirectory("concur-python-");
        try
        {
            var python = Path.Combine(folder.FullName, PythonLocator.Executable);
            File.WriteAllText(python, "#!/bin/sh\n");
            var path = string.Join(Path.PathSeparator, Path.Combine(folder.FullName, "none"), folder.FullName);
            Assert.Equal(python, PythonLocator.Find(path));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void NotFound_SaysWhatIsMissingAndWhatToDo()
    {
        Assert.Equal(PythonReport.Absent, PythonReport.NotFound.Status);
        Assert.Contains("python3 is not on PATH", PythonReport.NotFound.Message, StringComparison.Ordinal);
        Assert.Contains("--no-python", PythonReport.NotFound.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BenchPrimes_PythonRows_JoinConcursInOneRun()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        // Answers each request as the script does: sequential with its results and per-call times, the rest with a time.
        var body = $$"""
            echo '{{Info}}'
            while read request; do
              case "$request" in
                *sequential*) echo '{"kind": "sample", "seconds": 1.3, "results": [true, true, true, true, true, false], "taskSeconds": [0.25, 0.25, 0.25, 0.25, 0.25, 0.05]}' ;;
                *processes*cold*) echo '{"kind": "sample", "seconds": 1.4}' ;;
                *) echo '{"kind": "sample", "seconds": 1.3}' ;;
              esac
            done
            """;
        using var python = new StandInPython(body);

        var (exit, output, error) = BenchPrimesCommandTests.Run(() => python.Path, "bench", "primes", "--json", "--scale", "1", "--workers", "1", "--runs", "2");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        var report = root.GetProperty("python");
        Assert.Equal(PythonReport.Ran, report.GetProperty("status").GetString());
        Assert.Equal("3.99.0", report.GetProperty("version").GetString());
        Assert.Equal("fork", report.GetProperty("startMethod").GetString());
        Assert.Equal(6, root.GetProperty("taskSeconds").GetProperty("CPython").GetArrayLength());
        var cpython = root.GetProperty("rows").EnumerateArray().Where(r => r.GetProperty("runtime").GetString() == "CPython").ToList();
        Assert.Equal(
            [("sequential", "none"), ("threads", "cold"), ("threads", "warm"), ("processes", "cold"), ("processes", "warm")],
            cpython.Select(r => (r.GetProperty("mode").GetString(), r.GetProperty("start").GetString())));
        Assert.All(cpython, r => Assert.Equal(2, r.GetProperty("samples").GetArrayLength()));
        Assert.Equal(1.0, cpython[0].GetProperty("speedup").GetDouble());
        Assert.Equal(1.3 / 1.4, cpython[3].GetProperty("speedup").GetDouble(), 12);
        Assert.Equal(1.3, cpython[3].GetProperty("bestSeconds").GetDouble(), 12); // one worker: the sum of the call times
    }

    [Fact]
    public void BenchPrimes_DifferentScales_EachRuntimeKeepsItsWorkAndTheTableSaysSo()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var body = $$"""
            echo '{{Info}}'
            while read request; do
              case "$request" in
                *sequential*) echo '{"kind": "sample", "seconds": 1.5, "results": [true, true, true, true, true, false], "taskSeconds": [0.25, 0.25, 0.25, 0.25, 0.25, 0.05]}' ;;
                *) echo '{"kind": "sample", "seconds": 1.2}' ;;
              esac
            done
            """;
        using var python = new StandInPython(body);

        var (exit, output, error) = BenchPrimesCommandTests.Run(() => python.Path, "bench", "primes", "--json", "--scale", "2", "--python-scale", "1", "--workers", "1", "--runs", "1");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(2, root.GetProperty("scale").GetInt32());
        Assert.Equal(12, root.GetProperty("tasks").GetInt32());
        Assert.Equal(1, root.GetProperty("pythonScale").GetInt32());
        Assert.Equal(6, root.GetProperty("pythonTasks").GetInt32());
        Assert.Equal(12, root.GetProperty("taskSeconds").GetProperty("Concur").GetArrayLength());
        var rows = root.GetProperty("rows").EnumerateArray().ToList();
        var cpythonSequential = rows.Single(r => r.GetProperty("runtime").GetString() == "CPython" && r.GetProperty("mode").GetString() == "sequential");
        Assert.Equal(6 / 1.5, cpythonSequential.GetProperty("numbersPerSecond").GetDouble(), 12);
        var concurSequential = rows.Single(r => r.GetProperty("runtime").GetString() == "Concur" && r.GetProperty("mode").GetString() == "sequential");
        Assert.Equal(12 / concurSequential.GetProperty("median").GetDouble(), concurSequential.GetProperty("numbersPerSecond").GetDouble(), 9);
        Assert.Contains("x1 (Concur's rows: x2", root.GetProperty("python").GetProperty("message").GetString(), StringComparison.Ordinal);

        var (tableExit, table, tableError) = BenchPrimesCommandTests.Run(() => python.Path, "bench", "primes", "--scale", "2", "--python-scale", "1", "--workers", "1", "--runs", "1");
        Assert.True(tableExit == 0, tableError);
        Assert.Contains("Concur x2 (12 numbers), CPython x1 (6 numbers)", table, StringComparison.Ordinal);
        Assert.Contains("numbers/s", table, StringComparison.Ordinal);
        Assert.Contains("checked different amounts of work", table, StringComparison.Ordinal);
    }

    [Fact]
    public void BenchPrimes_PythonFails_ConcursRowsStayAndTheLineSaysWhy()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        using var python = new StandInPython($"echo '{Info}'\necho 'Traceback: boom' >&2\nexit 3");

        var (exit, output, error) = BenchPrimesCommandTests.Run(() => python.Path, "bench", "primes", "--scale", "1", "--workers", "1", "--runs", "1");

        Assert.True(exit == 0, error);
        Assert.Contains("Concur processes x 1 warm", output, StringComparison.Ordinal);
        Assert.DoesNotContain("CPython sequential", output, StringComparison.Ordinal);
        Assert.Contains("CPython rows left out", output, StringComparison.Ordinal);
        Assert.True(output.Contains("code 3", StringComparison.Ordinal), output);
        Assert.Contains("boom", output, StringComparison.Ordinal);
    }

    [Fact]
    public void BenchPrimes_PythonComputesWrongAnswers_IsReportedAsFailed()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var body = $$"""
            echo '{{Info}}'
            while read request; do
              echo '{"kind": "sample", "seconds": 1.3, "results": [true, true, true, true, true, true], "taskSeconds": [0.2, 0.2, 0.2, 0.2, 0.2, 0.2]}'
            done
            """;
        using var python = new StandInPython(body);

        var (exit, output, error) = BenchPrimesCommandTests.Run(() => python.Path, "bench", "primes", "--json", "--scale", "1", "--workers", "1", "--runs", "1");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var report = json.RootElement.GetProperty("python");
        Assert.Equal(PythonReport.Failed, report.GetProperty("status").GetString());
        Assert.Contains("lesson expects", report.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(json.RootElement.GetProperty("rows").EnumerateArray(), r => r.GetProperty("runtime").GetString() == "CPython");
    }

    /// <summary>A shell script standing in for python3 (it ignores its arguments): the body runs under /bin/sh.</summary>
    private sealed class StandInPython : IDisposable
    {
        private readonly DirectoryInfo _folder;

        public StandInPython(string body)
        {
            _folder = Directory.CreateTempSubdirectory("concur-python-");
            Path = System.IO.Path.Combine(_folder.FullName, PythonLocator.Executable);
            File.WriteAllText(Path, "#!/bin/sh\n" + body + "\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        public string Path { get; }

        public void Dispose() => _folder.Delete(recursive: true);
    }
}
