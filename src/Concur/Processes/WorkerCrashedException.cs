namespace Concur;

/// <summary>
/// The worker process running a task died before the task finished (<see cref="Environment.FailFast(string)"/>,
/// a stack overflow, a signal such as SIGKILL or SIGSEGV, the out-of-memory killer, or an exit from user code).
/// Only that task fails: the pool replaces the worker and every other task goes on, unlike CPython's
/// <c>BrokenProcessPool</c>.
/// </summary>
public sealed class WorkerCrashedException : Exception
{
    /// <summary>Initializes a new instance with a generic message.</summary>
    public WorkerCrashedException()
        : this("A worker process died while running a task.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">The message.</param>
    public WorkerCrashedException(string message)
        : base(message)
    {
        TaskDescription = string.Empty;
    }

    /// <summary>Initializes a new instance with the given message and inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The inner exception.</param>
    public WorkerCrashedException(string message, Exception? innerException)
        : base(message, innerException)
    {
        TaskDescription = string.Empty;
    }

    /// <summary>Initializes a new instance describing how the worker ended.</summary>
    /// <param name="processId">The worker's process id.</param>
    /// <param name="exitCode">The worker's exit code when it exited by itself; otherwise <see langword="null"/>.</param>
    /// <param name="signal">The signal that killed the worker; otherwise <see langword="null"/>.</param>
    /// <param name="taskDescription">The task that was running: its function and id.</param>
    public WorkerCrashedException(int processId, int? exitCode, int? signal, string taskDescription)
        : base(BuildMessage(processId, exitCode, signal, taskDescription))
    {
        ProcessId = processId;
        ExitCode = exitCode;
        Signal = signal;
        TaskDescription = taskDescription ?? string.Empty;
    }

    /// <summary>Initializes a new instance for a worker the parent killed, with the account of why.</summary>
    internal WorkerCrashedException(int processId, string taskDescription, string message)
        : base(message)
    {
        ProcessId = processId;
        TaskDescription = taskDescription;
    }

    /// <summary>Gets the process id of the worker that died.</summary>
    public int ProcessId { get; }

    /// <summary>Gets the worker's exit code when it exited by itself, or <see langword="null"/> when a signal killed it.</summary>
    public int? ExitCode { get; }

    /// <summary>Gets the number of the signal that killed the worker (e.g. 6 = SIGABRT for FailFast and stack
    /// overflow, 9 = SIGKILL), or <see langword="null"/> when it exited by itself.</summary>
    public int? Signal { get; }

    /// <summary>Gets a description of the task the worker was running (function and task id).</summary>
    public string TaskDescription { get; }

    private static string BuildMessage(int processId, int? exitCode, int? signal, string task)
    {
        string how = signal is int s
            ? $"was killed by signal {s} ({Platform.Signals.Name(s)}{(s == Platform.Signals.SIGABRT ? ": Environment.FailFast, a stack overflow or an abort" : string.Empty)})"
            : $"exited with code {exitCode}";
        return $"The worker process {processId} {how} while running {task}. The worker has been replaced; other tasks are unaffected.";
    }
}
