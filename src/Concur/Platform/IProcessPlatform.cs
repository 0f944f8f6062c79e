namespace Concur.Platform;

/// <summary>
/// Everything about worker processes that differs per operating system: parent-death handling, signals, and how an
/// exit status is read. Linux is implemented; Windows and macOS are each one class behind this seam.
/// </summary>
internal interface IProcessPlatform
{
    /// <summary>Called first thing in a worker: makes the worker die when <paramref name="parentPid"/> dies.</summary>
    /// <returns><see langword="false"/> when the parent is already gone (the worker must exit at once).</returns>
    bool BindLifetimeToParent(int parentPid);

    /// <summary>
    /// Starts a background watch that calls <paramref name="onParentGone"/> when the write end of the control channel
    /// (read by the worker through <paramref name="readFd"/>) is closed everywhere, without consuming any data.
    /// </summary>
    void WatchControlChannel(int readFd, Action onParentGone);

    /// <summary>Sends <paramref name="signal"/> (a POSIX signal number) to <paramref name="pid"/>.</summary>
    /// <returns><see langword="false"/> when the process no longer exists.</returns>
    bool SendSignal(int pid, int signal);

    /// <summary>Ends this process at once with <paramref name="code"/>, running no managed shutdown code.</summary>
    void ExitImmediately(int code);

    /// <summary>
    /// Splits a <see cref="System.Diagnostics.Process.ExitCode"/> into an exit code or the signal that killed the process.
    /// </summary>
    ExitStatus DecodeExitStatus(int exitCode);
}
