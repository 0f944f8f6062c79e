using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Concur.Tests.Support;

namespace Concur.Tests.Ipc;

/// <summary>
/// A real Python interpreter running a small script, for the interoperability tests: its standard output arrives
/// line by line, every wait is bounded, and Dispose kills it if it is still running. A misbehaving Python fails the
/// test with what it printed; it never hangs the run.
/// </summary>
internal sealed class PythonPeer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _errors = new();

    private PythonPeer(Process process) => _process = process;

    /// <summary>Gets the process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Gets the interpreters to test against: <c>python3</c> (3.11 here, the legacy handshake), and every CPython 3.12 or later found under pyenv (the modern one).</summary>
    public static TheoryData<string> Interpreters()
    {
        var data = new TheoryData<string> { "python3" };
        string root = Environment.GetEnvironmentVariable("PYENV_ROOT") ??
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".pyenv");
        string versions = Path.Combine(root, "versions");
        if (Directory.Exists(versions))
        {
            foreach (string dir in Directory.GetDirectories(versions).Order(StringComparer.Ordinal))
            {
                string python = Path.Combine(dir, "bin", "python3");
                if (Version.TryParse(Path.GetFileName(dir), out Version? v) && v >= new Version(3, 12) && File.Exists(python))
                {
                    data.Add(python);
                }
            }
        }
        return data;
    }

    /// <summary>Starts <paramref name="interpreter"/> with <paramref name="script"/> and <paramref name="arguments"/> (as <c>sys.argv[1:]</c>).</summary>
    public static PythonPeer Start(string interpreter, string script, params string[] arguments)
    {
        var info = new ProcessStartInfo(interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var peer = new PythonPeer(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                peer._lines.Writer.TryComplete();
            }
            else
            {
                peer._lines.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (peer._errors)
                {
                    peer._errors.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return peer;
    }

    /// <summary>Reads the next line Python printed, failing the test if none comes within <see cref="Bounded.Limit"/>.</summary>
    public async Task<string> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(Bounded.Limit);
        try
        {
            return await _lines.Reader.ReadAsync(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            throw new InvalidOperationException($"Python printed no line{(e is OperationCanceledException ? $" within {Bounded.Limit.TotalSeconds} s" : " before it ended")}. Its errors:\n{Errors}", e);
        }
    }

    /// <summary>Waits for Python to end and returns its exit code, killing it and failing the test after <see cref="Bounded.Limit"/>.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(Bounded.Limit);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Python did not end within {Bounded.Limit.TotalSeconds} s. Its errors:\n{Errors}");
        }
        return _process.ExitCode;
    }

    /// <summary>Waits for Python to end and fails the test with what it printed unless it exited with <paramref name="expected"/>.</summary>
    public async Task ExpectExitAsync(int expected)
    {
        int code = await WaitForExitAsync();
        if (code != expected)
        {
            var printed = new StringBuilder();
            while (_lines.Reader.TryRead(out string? line))
            {
                printed.AppendLine(line);
            }
            throw new InvalidOperationException(
                string.Create(CultureInfo.InvariantCulture, $"Python exited with {code}, not {expected}. It printed:\n{printed}Its errors:\n{Errors}"));
        }
    }

    /// <summary>Kills Python at once (SIGKILL) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await WaitForExitAsync();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await WaitForExitAsync();
        }
        _process.Dispose();
    }

    private string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }
}
