namespace Concur.Ipc.Internal;

/// <summary>
/// Serves the asynchronous waits on one <see cref="SharedSequence"/> (a queue's, a lock's): a thread of its own sleeps on the
/// change sequence while any <c>…Async</c> call of this process waits, and completes the waits whose sequence moved.
/// One thread per object however many calls wait, and none while none does (it ends after a second idle).
/// </summary>
/// <remarks>
/// .NET has no way to await a futex, and blocking a thread-pool thread per pending call would starve the pool for a
/// program awaiting many queues or locks. The sleeping thread is woken by the same futex wake that wakes blocking waiters in any
/// process, by a new waiter of this process, or after a slice, whichever comes first.
/// </remarks>
internal sealed class ChangeWatcher
{
    private const int Slice = 50;
    private const int IdleMilliseconds = 1000;

    private readonly SharedSequence _sequence;
    private readonly string _threadName;
    private readonly Lock _gate = new();
    private readonly List<Waiter> _waiters = [];
    private Thread? _thread;
    private bool _stopped;

    /// <summary>Creates the watcher of <paramref name="sequence"/>; its thread starts with the first wait.</summary>
    /// <param name="sequence">The sequence to watch.</param>
    /// <param name="threadName">The name of the thread, as debuggers show it.</param>
    public ChangeWatcher(SharedSequence sequence, string threadName)
    {
        _sequence = sequence;
        _threadName = threadName;
    }

    /// <summary>
    /// Completes with <see langword="true"/> when the change sequence differs from <paramref name="seen"/>, with
    /// <see langword="false"/> after <paramref name="milliseconds"/>; cancelled with the token.
    /// </summary>
    public async ValueTask<bool> WaitAsync(int seen, int milliseconds, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(seen);
        lock (_gate)
        {
            if (_stopped)
            {
                return true;
            }
            _waiters.Add(waiter);
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = _threadName };
                _thread.Start();
            }
        }
        _sequence.Nudge();
        try
        {
            await waiter.Changed.Task.WaitAsync(TimeSpan.FromMilliseconds(milliseconds), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Stops the thread and releases every waiter (their calls then see the queue disposed).</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopped = true;
            foreach (var waiter in _waiters)
            {
                waiter.Changed.TrySetResult();
            }
            _waiters.Clear();
        }
    }

    private void Run()
    {
        long idleSince = Environment.TickCount64;
        while (true)
        {
            int current;
            try
            {
                current = _sequence.CurrentSequence;
            }
            catch (ObjectDisposedException)
            {
                Stop();
                EndThread();
                return;
            }
            lock (_gate)
            {
                if (_stopped)
                {
                    _thread = null;
                    return;
                }
                for (int i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_waiters[i].Seen != current)
                    {
                        _waiters[i].Changed.TrySetResult();
                        _waiters.RemoveAt(i);
                    }
                }
                if (_waiters.Count > 0)
                {
                    idleSince = Environment.TickCount64;
                }
                else if (Environment.TickCount64 - idleSince > IdleMilliseconds)
                {
                    _thread = null;
                    return;
                }
            }
            try
            {
                _sequence.SleepWhile(current, Slice);
            }
            catch (ObjectDisposedException)
            {
                Stop();
                EndThread();
                return;
            }
        }
    }

    private void EndThread()
    {
        lock (_gate)
        {
            _thread = null;
        }
    }

    private sealed class Waiter(int seen)
    {
        public int Seen { get; } = seen;

        public TaskCompletionSource Changed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
