namespace Concur.Platform;

/// <summary>
/// Everything about worker processes that differs per operating system: parent-death handling, signals, and how an
/// exit status is read. Linux is implemented; Windows and macOS are each one class behind this seam.
/// </summary>
/// <remarks>
/// The transport itself is not per OS: two anonymous pipes whose client handles the child inherits, named on its
/// command line (<see cref="System.IO.Pipes.AnonymousPipeServerStream.GetClientHandleAsString"/>), work on Linux, macOS
/// and Windows alike.
/// </remarks>
internal interface IProcessPlatform
{
    /// <summary>Gets the file name of the <c>dotnet</c> host on this system (<c>dotnet</c>, or <c>dotnet.exe</c>).</summary>
    string DotnetHostFileName { get; }

    /// <summary>Called in the parent before any process is started.</summary>
    /// <exception cref="PlatformNotSupportedException">Worker processes are not implemented on this system.</exception>
    void ThrowIfUnsupported();

    /// <summary>
    /// Called in the parent right after starting a child that must die with the parent. Linux: nothing (the child
    /// binds itself, <see cref="BindLifetimeToParent"/>); Windows would add it to a Job Object with
    /// JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE.
    /// </summary>
    /// <param name="child">The child process, just started.</param>
    void AdoptChild(System.Diagnostics.Process child);

    /// <summary>Called first thing in a worker: makes the worker die when <paramref name="parentPid"/> dies.</summary>
    /// <returns><see langword="false"/> when the parent is already gone (the worker must exit at once).</returns>
    bool BindLifetimeToParent(int parentPid);

    /// <summary>
    /// Starts a background watch that calls <paramref name="onParentGone"/> when the write end of the control channel
    /// (read by the worker through <paramref name="readHandle"/>, the handle string its parent passed on the command
    /// line) is closed everywhere, without consuming any data.
    /// </summary>
    void WatchControlChannel(string readHandle, Action onParentGone);

    /// <summary>Sends <paramref name="signal"/> (a POSIX signal number) to <paramref name="pid"/>.</summary>
    /// <returns><see langword="false"/> when the process no longer exists.</returns>
    bool SendSignal(int pid, int signal);

    /// <summary>Ends this process at once with <paramref name="code"/>, running no managed shutdown code.</summary>
    void ExitImmediately(int code);

    /// <summary>
    /// Splits a <see cref="System.Diagnostics.Process.ExitCode"/> into an exit code or the signal that killed the process.
    /// </summary>
    ExitStatus DecodeExitStatus(int exitCode);

    /// <summary>
    /// Makes the memory of a large buffer present before it is filled, in one system call, so that filling it does not
    /// take a page fault per page. Best effort: does nothing where the system offers no such call.
    /// </summary>
    /// <param name="memory">The buffer, about to be written from start to end.</param>
    void Prefault(Span<byte> memory)
    {
    }
}
