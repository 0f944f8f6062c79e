namespace Concur.Threading.Internal;

/// <summary>
/// One wait on a <see cref="Condition"/>. A notify and a timeout can race: whichever moves the state first wins,
/// so a notify is never lost on a waiter that has already given up.
/// </summary>
internal sealed class ConditionWaiter
{
    private const int Waiting = 0;
    private const int Notified = 1;
    private const int Abandoned = 2;

    private readonly ThreadOwner? _thread;
    private readonly TaskCompletionSource? _completion;
    private int _state;

    private ConditionWaiter(ThreadOwner? thread, TaskCompletionSource? completion)
    {
        _thread = thread;
        _completion = completion;
    }

    public Task Completion => _completion!.Task;

    public static ConditionWaiter ForThread(ThreadOwner thread) => new(thread, null);

    public static ConditionWaiter ForAsync() =>
        new(null, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Wakes the waiter if it is still waiting. Returns <see langword="false"/> if it already gave up.</summary>
    public bool TryNotify()
    {
        if (Interlocked.CompareExchange(ref _state, Notified, Waiting) != Waiting)
        {
            return false;
        }
        if (_thread is not null)
        {
            _thread.ConditionSignal.Set();
        }
        else
        {
            _completion!.TrySetResult();
        }
        return true;
    }

    /// <summary>Gives up waiting. Returns <see langword="false"/> if a notify got there first.</summary>
    public bool TryAbandon() => Interlocked.CompareExchange(ref _state, Abandoned, Waiting) == Waiting;
}
