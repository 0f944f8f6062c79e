namespace Concur.Cli.Bench;

/// <summary>
/// The tasks that warm a pool before its warm rows are timed: each pauses briefly, so the other workers take the
/// next ones, and returns which worker ran it. Static methods, so worker processes can run them.
/// </summary>
internal static class WarmUpTasks
{
    private static readonly TimeSpan s_pause = TimeSpan.FromMilliseconds(10);

    /// <summary>Pauses briefly and returns the id of the worker process that ran it.</summary>
    /// <param name="item">Ignored (the map's item).</param>
    public static long ProcessIdentity(int item)
    {
        Thread.Sleep(s_pause);
        return Environment.ProcessId;
    }

    /// <summary>Pauses briefly and returns the managed id of the worker thread that ran it.</summary>
    /// <param name="item">Ignored (the map's item).</param>
    public static long ThreadIdentity(int item)
    {
        Thread.Sleep(s_pause);
        return Environment.CurrentManagedThreadId;
    }
}
