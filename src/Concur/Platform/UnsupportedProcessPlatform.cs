namespace Concur.Platform;

/// <summary>
/// macOS and other systems: not implemented yet. macOS would watch the parent with kqueue (EVFILT_PROC, NOTE_EXIT)
/// since it has no PR_SET_PDEATHSIG; everything else is as on Linux.
/// </summary>
internal sealed class UnsupportedProcessPlatform : IProcessPlatform
{
    private static PlatformNotSupportedException NotYet() => new(
        $"Concur's worker processes are implemented for Linux only so far ({System.Runtime.InteropServices.RuntimeInformation.OSDescription} " +
        "is not supported yet); use ThreadPoolExecutor here.");

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
