using System.Diagnostics;

namespace Concur.Cluster.Tests;

/// <summary>Work for the cluster tests: static methods, so they run in a node's worker processes.</summary>
public static class ClusterWork
{
    /// <summary>The longest a blocked task waits for its release file.</summary>
    public static readonly TimeSpan MaxBlock = TimeSpan.FromSeconds(60);

    /// <summary>Writes <c>started-{name}</c> in <paramref name="directory"/>, waits for <c>release</c> there, and returns the node's process id (the worker's parent).</summary>
    public static int StartAndBlock(string directory, string name)
    {
        File.WriteAllText(Path.Combine(directory, $"started-{name}"), "");
        WaitForRelease(directory);
        return ParentProcessId();
    }

    /// <summary>
    /// An idempotent task's body: writes <c>started-{key}-{worker pid}</c> in <paramref name="directory"/> (one file per
    /// run), waits for <c>release</c> there, and returns the key it was given.
    /// </summary>
    public static Guid KeyedStartAndBlock(Guid key, string directory)
    {
        File.WriteAllText(Path.Combine(directory, $"started-{key:N}-{Environment.ProcessId}"), "");
        WaitForRelease(directory);
        return key;
    }

    /// <summary>
    /// Worker side: waits, at most <see cref="MaxBlock"/>, for the file <c>release</c> in <paramref name="directory"/>:
    /// a bounded poll of the file system, the one channel a task on another node's worker shares with the test.
    /// </summary>
    private static void WaitForRelease(string directory)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(directory, "release")) && clock.Elapsed < MaxBlock)
        {
            Thread.Sleep(20);
        }
    }

    /// <summary>Gets the process id of the worker's parent: the node that runs it.</summary>
    public static int ParentProcessId()
    {
        // /proc/self/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
        string stat = File.ReadAllText("/proc/self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Gets the worker's process id.</summary>
    public static int WorkerProcessId() => Environment.ProcessId;

    /// <summary>Never returns on its own (a runaway task).</summary>
    public static int Runaway()
    {
        while (true)
        {
            Thread.Sleep(1000);
        }
    }

    /// <summary>Kills its own worker process.</summary>
    public static int Crash()
    {
        Environment.FailFast("cluster test: a task that crashes its worker");
        return 0;
    }

    /// <summary>Counts how many started markers <paramref name="directory"/> holds.</summary>
    public static int Started(string directory) => Directory.GetFiles(directory, "started-*").Length;
}
