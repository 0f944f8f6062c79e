using System.Diagnostics;

namespace Concur.Tests.Processes;

/// <summary>
/// A cross-process gate: a worker function blocks until the test creates a file. Every wait is bounded, so a
/// forgotten gate fails instead of hanging.
/// </summary>
internal sealed class Gate : IDisposable
{
    public Gate()
    {
        Directory = Path.Combine(Path.GetTempPath(), "concur-tests-" + Guid.NewGuid().ToString("N")); // Deleted by Dispose: nothing is left.
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>Gets the folder holding this gate's files.</summary>
    public string Directory { get; }

    /// <summary>Gets the path the worker waits for.</summary>
    public string OpenPath => Path.Combine(Directory, "open");

    /// <summary>Gets the path a worker creates when it starts running.</summary>
    public string StartedPath => Path.Combine(Directory, "started");

    /// <summary>Gets a path for marking that some code ran.</summary>
    public string Marker(string name) => Path.Combine(Directory, name);

    /// <summary>Opens the gate.</summary>
    public void Open() => File.WriteAllText(OpenPath, "open");

    /// <summary>Waits (bounded) until a worker has signalled that it started.</summary>
    public void WaitStarted() => Support.Bounded.Until(() => File.Exists(StartedPath), "the worker function started");

    public void Dispose()
    {
        // A worker still finishing may add a file while the folder is being deleted ("directory not empty"); a few
        // attempts clean that up. A later write fails in the worker (the folder is gone), so nothing is left.
        for (int attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Worker side: says "started", then waits (at most 60 s) for the gate to open.</summary>
    public static int WaitInWorker(string directory)
    {
        string temp = Path.Combine(directory, $"started.{Environment.ProcessId}.tmp");
        File.WriteAllText(temp, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        File.Move(temp, Path.Combine(directory, "started"), overwrite: true);
        var watch = Stopwatch.StartNew();
        // A deleted directory counts as open: the test has finished with the gate.
        while (!File.Exists(Path.Combine(directory, "open")) && System.IO.Directory.Exists(directory))
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException("The test never opened the gate.");
            }
            // Runs in the worker process: a bounded poll of the file system, the one channel it shares with the test.
            Thread.Sleep(5);
        }
        return Environment.ProcessId;
    }
}
