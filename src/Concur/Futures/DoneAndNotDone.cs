namespace Concur;

/// <summary>
/// The outcome of <see cref="Futures.Wait{TTask}"/>: the tasks that had completed when the wait returned and those
/// that had not, like Python's <c>DoneAndNotDoneFutures</c>.
/// </summary>
/// <typeparam name="TTask">The type of the tasks.</typeparam>
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
}
