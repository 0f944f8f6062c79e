using System.Diagnostics;

namespace Concur.Platform;

/// <summary>
/// macOS and other systems: not implemented yet; this class is the one place to do it. Everything is as on Linux
/// except parent death: macOS has no PR_SET_PDEATHSIG, so <see cref="BindLifetimeToParent"/> would watch the parent
/// with kqueue (EVFILT_PROC, NOTE_EXIT), besides the control-channel watch.
/// </summary>
internal sealed class UnsupportedProcessPlatform : IProcessPlatform
{
    /// <inheritdoc/>
    public string DotnetHostFileName => "dotnet";

    /// <inheritdoc/>
    public void ThrowIfUnsupported() => throw NotYet();

    /// <inheritdoc/>
    public void AdoptChild(Process child) => throw NotYet();

    /// <inheritdoc/>
    public bool BindLifetimeToParent(int parentPid) => throw NotYet();

    /// <inheritdoc/>
    public void WatchControlChannel(string readHandle, Action onParentGone) => throw NotYet();

    /// <inheritdoc/>
    public bool SendSignal(int pid, int signal) => throw NotYet();

    /// <inheritdoc/>
    public void ExitImmediately(int code) => Environment.Exit(code);

    /// <inheritdoc/>
    public ExitStatus DecodeExitStatus(int exitCode) => new(exitCode, null);

    private static PlatformNotSupportedException NotYet() => new(
        $"Concur's worker processes are implemented for Linux only so far ({System.Runtime.InteropServices.RuntimeInformation.OSDescription} " +
        "is not supported yet); use ThreadPoolExecutor here.");
}
