namespace Concur;

/// <summary>
/// The outcome of <see cref="Futures.Wait{TTask}"/>: the tasks that had completed when the wait returned and those
/// that had not, like Python's <c>DoneAndNotDoneFutures</c>.
/// </summary>
/// <typeparam name="TTask">The type of the tasks.</typeparam>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class DoneAndNotDone<TTask>
    where TTask : Task
{
    internal DoneAndNotDone(IReadOnlySet<TTask> done, IReadOnlySet<TTask> notDone)
    {
        Done = done;
        NotDone = notDone;
    }

    /// <summary>Gets the distinct tasks that had completed (succeeded, faulted or been cancelled).</summary>
    public IReadOnlySet<TTask> Done { get; }

    /// <summary>Gets the distinct tasks that had not completed yet.</summary>
    public IReadOnlySet<TTask> NotDone { get; }

    /// <summary>Deconstructs into the two sets, as in <c>var (done, notDone) = Futures.Wait(tasks);</c>.</summary>
    /// <param name="done">Receives <see cref="Done"/>.</param>
    /// <param name="notDone">Receives <see cref="NotDone"/>.</param>
    public void Deconstruct(out IReadOnlySet<TTask> done, out IReadOnlySet<TTask> notDone)
    {
        done = Done;
        notDone = NotDone;
    }

    /// <summary>Describes the outcome by its two counts, as Python's <c>DoneAndNotDoneFutures</c> shows its two sets.</summary>
    /// <returns>For example <c>DoneAndNotDone (2 done, 1 not done)</c>.</returns>
    public override string ToString() => $"DoneAndNotDone ({Done.Count} done, {NotDone.Count} not done)";
}
