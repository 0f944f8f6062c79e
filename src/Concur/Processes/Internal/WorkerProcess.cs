using System.Diagnostics;
using Concur.Serialization;

namespace Concur.Processes.Internal;

/// <summary>
/// The parent's handle on one worker process: its pipes, the tasks sent to it (in order: the worker runs them in
/// that order, so the head is the one running), and the reader thread that turns its frames into completions.
/// Fields marked "gate" are guarded by the engine's lock.
/// </summary>
internal sealed class WorkerProcess
{
    private readonly SpawnedProcess _spawned;

    public WorkerProcess(SpawnedProcess spawned, string name, TaskClaims? claims)
    {
        _spawned = spawned;
        Name = name;
        Pid = spawned.Process.Id;
        Claims = claims;
    }

    /// <summary>Gets the claims shared with the worker (null where the system has no shared memory: then it holds one task at a time).</summary>
    public TaskClaims? Claims { get; }

    /// <summary>
    /// Gets the ids of the tasks taken back from this worker (<see cref="TaskClaims.TryRevoke"/>) that it has not yet
    /// answered with Skipped. They stay in <see cref="Outstanding"/> until then, as placeholders: their items are
    /// queued again, sent elsewhere or cancelled. Gate.
    /// </summary>
    public HashSet<long> Revoked { get; } = [];

    /// <summary>Gets a value indicating whether <paramref name="item"/>, in <see cref="Outstanding"/>, was taken back. Gate.</summary>
    public bool IsRevoked(WorkItem item) => Revoked.Count > 0 && Revoked.Contains(item.Id);

    /// <summary>Gets the worker's name.</summary>
    public string Name { get; }

    /// <summary>Gets the worker's process id.</summary>
    public int Pid { get; }

    /// <summary>Gets the process.</summary>
    public Process Process => _spawned.Process;

    /// <summary>Gets the pipe to the worker.</summary>
    public Stream ToWorker => _spawned.ToWorker;

    /// <summary>Gets the pipe from the worker.</summary>
    public Stream FromWorker => _spawned.FromWorker;

    /// <summary>Gets the tasks sent and not answered, oldest (running) first; the rest wait in the worker's pipe. Gate.</summary>
    public Queue<WorkItem> Outstanding { get; } = new();

    /// <summary>Gets the frames waiting to be written, in order. Gate.</summary>
    public Queue<OutgoingFrame> SendQueue { get; } = new();

    /// <summary>Gets the ids of the functions already defined in this worker. Gate.</summary>
    public HashSet<int> Defined { get; } = [];

    /// <summary>Gets the lock held while writing to <see cref="ToWorker"/>.</summary>
    public Lock SendLock { get; } = new();

    /// <summary>Gets or sets the <see cref="ProcessTypeAllowlist.Version"/> last sent to the worker. Gate.</summary>
    public int AllowlistVersion { get; set; }

    /// <summary>Gets or sets a value indicating whether the worker said it is ready. Gate.</summary>
    public bool Ready { get; set; }

    /// <summary>Gets or sets how many tasks were sent to it. Gate.</summary>
    public int Assigned { get; set; }

    /// <summary>Gets or sets a value indicating whether it takes no more tasks (max tasks per child reached). Gate.</summary>
    public bool Retiring { get; set; }

    /// <summary>Gets or sets a value indicating whether it was told to exit. Gate.</summary>
    public bool ExitSent { get; set; }

    /// <summary>Gets or sets a value indicating whether the process has ended. Gate.</summary>
    public bool Dead { get; set; }

    /// <summary>Gets or sets how many tasks it answered. Gate.</summary>
    public int Answered { get; set; }

    /// <summary>Gets or sets what the worker sent that broke the protocol, if it did (it was then killed). Gate.</summary>
    public string? Corruption { get; set; }

    /// <summary>Gets or sets the reader of its result pipe (the supervisor watches it for a stalled frame).</summary>
    public FrameReader? Reader { get; set; }

    /// <summary>Gets the arrays that came ahead of the result being read (<see cref="FrameKind.ResultArray"/>). Reader thread.</summary>
    public List<Array> ResultArrays { get; } = [];

    /// <summary>Gets or sets the task the arrays in <see cref="ResultArrays"/> belong to. Reader thread.</summary>
    public long ResultArraysFor { get; set; }

    /// <summary>Gets or sets the size of the arrays in <see cref="ResultArrays"/>, in frame body bytes. Reader thread.</summary>
    public long ResultArrayBytes { get; set; }

    /// <summary>Hands over the arrays that came ahead of a result, and starts counting afresh.</summary>
    public IReadOnlyList<Array> TakeResultArrays()
    {
        ResultArrayBytes = 0;
        if (ResultArrays.Count == 0)
        {
            return [];
        }
        Array[] taken = [.. ResultArrays];
        ResultArrays.Clear();
        return taken;
    }

    /// <summary>Gets or sets the initializer's error, if it threw in this worker.</summary>
    public RemoteException? InitializeError { get; set; }

    /// <summary>Kills the process (SIGKILL); harmless if it already exited.</summary>
    public void Kill()
    {
        try
        {
            _spawned.Process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Already exiting.
        }
    }

    /// <summary>Closes the parent's pipe ends, the process handle and the claims.</summary>
    public void Release()
    {
        Claims?.Dispose();
        _spawned.ToWorker.Dispose();
        _spawned.FromWorker.Dispose();
        _spawned.Process.Dispose();
    }
}
