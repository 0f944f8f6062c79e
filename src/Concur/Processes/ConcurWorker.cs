using Concur.Processes.Internal;

namespace Concur;

/// <summary>
/// The hook that lets an application that cannot be re-launched with <c>dotnet exec</c> (a single-file bundle)
/// serve as its own worker process. Most applications do not need it: Concur starts workers from Concur.dll.
/// </summary>
/// <example>
/// <code>
/// if (ConcurWorker.TryRunWorker(args)) return;   // first line of Main
/// </code>
/// </example>
public static class ConcurWorker
{
    private static volatile bool s_hookInstalled;

    /// <summary>Gets a value indicating whether <see cref="TryRunWorker"/> has been called in this process.</summary>
    internal static bool HookInstalled => s_hookInstalled;

    /// <summary>
    /// When this process was started as a Concur worker, runs the worker and then exits the process (this method
    /// does not return in that case). Otherwise records that the hook is in place and returns
    /// <see langword="false"/> at once, so Main goes on as usual.
    /// </summary>
    /// <param name="args">The arguments Main received.</param>
    /// <returns><see langword="false"/> when this process is not a worker (the usual case).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="args"/> is <see langword="null"/>.</exception>
    public static bool TryRunWorker(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == LaunchPlan.WorkerArgument)
        {
            int code = WorkerHost.Run(args);
            Environment.Exit(code);
            return true;
        }
        s_hookInstalled = true;
        return false;
    }
}
