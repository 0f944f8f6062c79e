using System.Diagnostics;

namespace Concur.Platform;

/// <summary>
/// Windows: not implemented yet; this class is the one place to do it. The anonymous pipes, the launch and the
/// frames work as they are. What is left: <see cref="AdoptChild"/> puts each child in a Job Object with
/// JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE (parent death), <see cref="WatchControlChannel"/> waits for the pipe to break,
/// <see cref="SendSignal"/> maps SIGTERM and SIGKILL to TerminateProcess, and <see cref="DecodeExitStatus"/> reports
/// exit codes only.
/// </summary>
internal sealed class WindowsProcessPlatform : IProcessPlatform
{
    /// <inheritdoc/>
    public string DotnetHostFileName => "dotnet.exe";

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
        "Concur's worker processes are implemented for Linux only so far; on Windows use ThreadPoolExecutor, or " +
        "contribute WindowsProcessPlatform (a Job Object per pool, TerminateProcess for signals).");
}
