namespace Concur.Platform;

/// <summary>How a process ended: an exit code, or the signal that killed it.</summary>
/// <param name="ExitCode">The exit code, when the process exited by itself; otherwise <see langword="null"/>.</param>
/// <param name="Signal">The signal number that killed the process; otherwise <see langword="null"/>.</param>
internal readonly record struct ExitStatus(int? ExitCode, int? Signal)
{
    /// <summary>Python's convention: the exit code, or minus the signal number.</summary>
    public int PythonExitCode => Signal is int s ? -s : ExitCode ?? 0;

    /// <inheritdoc/>
    public override string ToString() =>
        Signal is int s ? $"killed by signal {s} ({Signals.Name(s)})" : $"exit code {ExitCode}";
}
