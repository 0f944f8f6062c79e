using System.Diagnostics;

namespace Concur.Platform;

/// <summary>
/// Every operating system but Linux, for now: worker processes are not implemented there, and each member that would
/// need them throws <see cref="PlatformNotSupportedException"/> with a message that says what to use instead. This
/// class is the one place to start a port; <see cref="ForWindows"/> and <see cref="ForOtherSystems"/> say what each
/// port needs.
/// </summary>
/// <remarks>
/// <para>
/// Windows: the anonymous pipes, the launch and the frames work as they are. What is left: <see cref="AdoptChild"/>
/// puts each child in a Job Object with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE (parent death),
/// <see cref="WatchControlChannel"/> waits for the pipe to break, <see cref="SendSignal"/> maps SIGTERM and SIGKILL to
/// TerminateProcess, and <see cref="DecodeExitStatus"/> reports exit codes only.
/// </para>
/// <para>
/// macOS and other systems: everything is as on Linux except parent death: macOS has no PR_SET_PDEATHSIG, so
/// <see cref="BindLifetimeToParent"/> would watch the parent with kqueue (EVFILT_PROC, NOTE_EXIT), besides the
/// control-channel watch.
/// </para>
/// </remarks>
internal sealed class UnsupportedProcessPlatform : IProcessPlatform
{
    private readonly string _whatToDo;

    private UnsupportedProcessPlatform(string dotnetHostFileName, string whatToDo)
    {
        DotnetHostFileName = dotnetHostFileName;
        _whatToDo = whatToDo;
    }

    /// <summary>Gets the stub for Windows.</summary>
    public static UnsupportedProcessPlatform ForWindows { get; } = new(
        "dotnet.exe",
        "on Windows use ThreadPoolExecutor, or contribute the Windows platform (a Job Object per pool, " +
        "TerminateProcess for signals; see UnsupportedProcessPlatform).");

    /// <summary>Gets the stub for macOS and every other system that is neither Linux nor Windows.</summary>
    public static UnsupportedProcessPlatform ForOtherSystems { get; } = new(
        "dotnet",
        $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription} is not supported yet; use ThreadPoolExecutor here.");

    /// <inheritdoc/>
    public string DotnetHostFileName { get; }

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

    private PlatformNotSupportedException NotYet() =>
        new($"Concur's worker processes are implemented for Linux only so far; {_whatToDo}");
}
