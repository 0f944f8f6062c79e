namespace Concur.Platform;

/// <summary>
/// Windows: not implemented yet. It would put workers in a Job Object with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, use
/// named pipes with a handshake instead of inherited handles, and map Terminate to TerminateProcess.
/// </summary>
internal sealed class WindowsProcessPlatform : IProcessPlatform
{
    private static PlatformNotSupportedException NotYet() => new(
        "Concur's worker processes are implemented for Linux only so far; on Windows use ThreadPoolExecutor, or " +
        "contribute WindowsProcessPlatform (Job Object + named pipes).");

    /// <inheritdoc/>
    public bool BindLifetimeToParent(int parentPid) => throw NotYet();

    /// <inheritdoc/>
    public void WatchControlChannel(int readFd, Action onParentGone) => throw NotYet();

    /// <inheritdoc/>
    public bool SendSignal(int pid, int signal) => throw NotYet();

    /// <inheritdoc/>
    public void ExitImmediately(int code) => Environment.Exit(code);

    /// <inheritdoc/>
    public ExitStatus DecodeExitStatus(int exitCode) => new(exitCode, null);
}
