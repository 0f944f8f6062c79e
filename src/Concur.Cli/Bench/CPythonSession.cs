using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Concur.Cli.Bench;

/// <summary>
/// A running python3 with the lesson's own programs (lesson_primes.py, embedded in this tool): asked for one run of
/// a row at a time, so CPython's runs interleave with Concur's and machine load weighs on both alike. The script
/// keeps its warm pools between requests; closing its standard input shuts them down.
/// </summary>
internal sealed class CPythonSession : IDisposable
{
    private const string ScriptResource = "Concur.Cli.Bench.lesson_primes.py";

    private readonly DirectoryInfo _folder;
    private readonly Process _process;
    private readonly StringBuilder _errors = new();
    private readonly PrimesWorkload _workload;
    private readonly List<double>[] _taskSamples;

    private CPythonSession(string python, PrimesWorkload workload, DirectoryInfo folder, Process process)
    {
        Executable = python;
        _workload = workload;
        _folder = folder;
        _process = process;
        _taskSamples = [.. workload.Numbers.Select(_ => new List<double>())];
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_errors)
                {
                    _errors.AppendLine(e.Data);
                }
            }
        };
        _process.BeginErrorReadLine();
    }

    /// <summary>Gets the python3 that runs.</summary>
    public string Executable { get; }

    /// <summary>Gets its version (<c>platform.python_version()</c>).</summary>
    public string? Version { get; private set; }

    /// <summary>Gets its multiprocessing start method (fork, spawn or forkserver).</summary>
    public string? StartMethod { get; private set; }

    /// <summary>Gets each call's median time over the sequential runs so far, in seconds, in list order.</summary>
    public IReadOnlyList<double> TaskSeconds => [.. _taskSamples.Select(s => s.Count == 0 ? 0 : Samples.Median(s))];

    /// <summary>Starts python3 with the script and reads its first line.</summary>
    /// <param name="python">The python3 executable.</param>
    /// <param name="workload">The numbers (the script repeats the lesson's list <see cref="PrimesWorkload.Scale"/> times).</param>
    /// <param name="bound">How long starting may take.</param>
    /// <exception cref="CPythonFailedException">python3 did not start or did not answer as the script does.</exception>
    public static CPythonSession Start(string python, PrimesWorkload workload, TimeSpan bound)
    {
        var folder = Directory.CreateTempSubdirectory("concur-bench-");
        Process? process = null;
        try
        {
            var script = Path.Combine(folder.FullName, "lesson_primes.py");
            using (var resource = typeof(CPythonSession).Assembly.GetManifestResourceStream(ScriptResource)
                ?? throw new InvalidOperationException($"The tool is missing its embedded {ScriptResource}."))
            using (var file = File.Create(script))
            {
                resource.CopyTo(file);
            }
            var start = new ProcessStartInfo(python)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(JsonSerializer.Serialize(new { scale = workload.Scale }));
            process = Process.Start(start) ?? throw new CPythonFailedException($"{python} did not start.");
            var session = new CPythonSession(python, workload, folder, process);
            try
            {
                var info = session.ReadLine(bound);
                session.Version = info.GetProperty("version").GetString();
                session.StartMethod = info.GetProperty("startMethod").GetString();
                return session;
            }
            catch
            {
                session.Dispose();
                throw;
            }
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            process?.Dispose();
            folder.Delete(recursive: true);
            throw new CPythonFailedException($"{python} could not be started ({e.Message})", e);
        }
    }

    /// <summary>Runs <paramref name="key"/>'s configuration once in python3 and returns its wall time in seconds.</summary>
    /// <param name="key">The configuration.</param>
    /// <param name="bound">How long the run may take.</param>
    /// <exception cref="CPythonFailedException">python3 failed, answered wrongly, or took longer than <paramref name="bound"/>.</exception>
    public double Sample(RowKey key, TimeSpan bound)
    {
        var request = JsonSerializer.Serialize(new { mode = key.Mode, workers = key.Workers, start = key.Start });
        try
        {
            _process.StandardInput.WriteLine(request);
            _process.StandardInput.Flush();
        }
        catch (IOException e)
        {
            throw Failed(_process.WaitForExit(TimeSpan.FromSeconds(5)) ? Exited() : $"python3 stopped reading its requests ({e.Message})");
        }
        var answer = ReadLine(bound);
        var seconds = answer.GetProperty("seconds").GetDouble();
        if (key.Mode == BenchMode.Sequential)
        {
            try
            {
                _workload.Verify([.. answer.GetProperty("results").EnumerateArray().Select(r => r.GetBoolean())], $"{Runtimes.CPython} {BenchMode.Sequential}");
            }
            catch (InvalidOperationException e)
            {
                throw Failed(e.Message);
            }
            var tasks = answer.GetProperty("taskSeconds").EnumerateArray().Select(t => t.GetDouble()).ToArray();
            if (tasks.Length != _taskSamples.Length)
            {
                throw Failed($"python3 timed {tasks.Length} calls, not {_taskSamples.Length}");
            }
            for (var i = 0; i < tasks.Length; i++)
            {
                _taskSamples[i].Add(tasks[i]);
            }
        }
        return seconds;
    }

    /// <summary>Closes python3's input (it shuts down its warm pools and exits), waits a bounded time, and stops it if it did not exit.</summary>
    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already gone.
        }
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
        _folder.Delete(recursive: true);
    }

    private JsonElement ReadLine(TimeSpan bound)
    {
        string? line;
        using (var timeout = new CancellationTokenSource(bound))
        {
            try
            {
                line = _process.StandardOutput.ReadLineAsync(timeout.Token).AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                throw Failed($"python3 took longer than {bound.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)} s and was stopped");
            }
        }
        if (line is null)
        {
            _process.WaitForExit(TimeSpan.FromSeconds(10));
            throw Failed(Exited());
        }
        try
        {
            using var json = JsonDocument.Parse(line);
            return json.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw Failed($"python3 printed something that is not the script's JSON ({e.Message})");
        }
    }

    private string Exited() =>
        _process.HasExited ? $"python3 exited with code {_process.ExitCode.ToString(CultureInfo.InvariantCulture)}" : "python3 closed its output";

    private CPythonFailedException Failed(string problem)
    {
        string last;
        // Standard error arrives on its own thread: give its last line a moment to come in when python3 has exited.
        if (_process.HasExited)
        {
            _process.WaitForExit(TimeSpan.FromSeconds(5));
        }
        lock (_errors)
        {
            last = _errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        }
        return new CPythonFailedException(last.Length > 0 ? $"{problem}: {last}" : $"{problem}.");
    }
}
