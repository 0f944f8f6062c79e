using System.Diagnostics;

namespace Concur.Ipc.Internal;

/// <summary>
/// A change sequence in shared memory that any number of processes wait on: the waiting half of every Concur object
/// that lives in shared memory (process queues, locks, events, semaphores).
/// </summary>
/// <remarks>
/// <para>
/// Two 32-bit words: the sequence, which every change anyone publishes increments, and the count of sleepers, so that
/// a publisher makes the futex wake call only when someone sleeps. A waiter reads the sequence, looks at the state it
/// waits for, and sleeps only while the sequence still holds what it read, so no wake-up is lost.
/// </para>
/// <para>
/// Blocking waits spin briefly first (a futex sleep and wake-up cost more than a short wait), then sleep on the futex;
/// asynchronous ones are served by one thread per object (<see cref="ChangeWatcher"/>). A process killed while asleep
/// leaves the sleeper count one too high: publishers then make a wake call that wakes no one, which costs a system
/// call and blocks nobody.
/// </para>
/// <para>
/// The caller holds a reference to the <see cref="SharedMapping"/> (<see cref="System.Runtime.InteropServices.SafeHandle.DangerousAddRef"/>) around
/// every call but <see cref="Close"/> and the ones <see cref="ChangeWatcher"/> makes, which take their own.
/// </para>
/// </remarks>
internal sealed unsafe class SharedSequence
{
    private readonly SharedMapping _mapping;
    private readonly int* _sequence;
    private readonly int* _sleepers;
    private readonly Lazy<ChangeWatcher> _watcher;
    private volatile bool _closed;

    /// <summary>Uses the words at <paramref name="sequenceOffset"/> and <paramref name="sleepersOffset"/> of <paramref name="mapping"/>.</summary>
    /// <param name="mapping">The shared memory.</param>
    /// <param name="sequenceOffset">Where the sequence word is (4-byte aligned).</param>
    /// <param name="sleepersOffset">Where the sleeper count is (4-byte aligned).</param>
    /// <param name="watcherName">The name of the thread that serves asynchronous waits, as debuggers show it.</param>
    public SharedSequence(SharedMapping mapping, int sequenceOffset, int sleepersOffset, string watcherName)
    {
        _mapping = mapping;
        _sequence = (int*)(mapping.Address + sequenceOffset);
        _sleepers = (int*)(mapping.Address + sleepersOffset);
        _watcher = new Lazy<ChangeWatcher>(() => new ChangeWatcher(this, watcherName), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Gets or sets what a blocking waiter calls right before it sleeps (a kill point of the tests), or nothing.</summary>
    public Action? BeforeSleep { get; set; }

    /// <summary>Gets a value indicating whether this process closed the object (<see cref="Close"/>).</summary>
    public bool IsClosed => _closed;

    /// <summary>Gets how many threads of all processes sleep on the sequence now (a killed sleeper stays counted).</summary>
    public int Sleepers => Volatile.Read(ref *_sleepers);

    /// <summary>Reads the sequence now.</summary>
    public int Read() => Volatile.Read(ref *_sequence);

    /// <summary>Publishes a change: bumps the sequence and wakes sleepers, in every process, when there are any.</summary>
    public void Publish()
    {
        Interlocked.Increment(ref *_sequence);
        if (Volatile.Read(ref *_sleepers) > 0)
        {
            SharedMemoryNative.WakeAll(_sequence);
        }
    }

    /// <summary>
    /// Waits until the sequence differs from <paramref name="seen"/>, at most <paramref name="milliseconds"/>, blocking
    /// the thread when <paramref name="sync"/> and asynchronously otherwise. Returns whether it changed. Ends early,
    /// without throwing, when <paramref name="cancellationToken"/> is cancelled or the object closed: the caller looks.
    /// </summary>
    public ValueTask<bool> WaitAsync(bool sync, int seen, int milliseconds, CancellationToken cancellationToken) =>
        sync
            ? new ValueTask<bool>(Wait(seen, milliseconds, cancellationToken))
            : _watcher.Value.WaitAsync(seen, milliseconds, cancellationToken);

    /// <summary>
    /// Closes this process's use: wakes this process's sleepers (and, harmlessly, other processes', which look and
    /// sleep again) and stops the watcher thread. Call before disposing of the mapping.
    /// </summary>
    public void Close()
    {
        _closed = true;
        WakeSleepers();
        if (_watcher.IsValueCreated)
        {
            _watcher.Value.Stop();
        }
    }

    private bool Wait(int seen, int milliseconds, CancellationToken cancellationToken)
    {
        if (Environment.ProcessorCount > 1)
        {
            // A brief spin: in a steady stream the next change arrives within microseconds, and a futex sleep and
            // wake-up cost more than that on both sides.
            long start = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(start).Ticks < TimeSpan.TicksPerMillisecond / 20)
            {
                if (Volatile.Read(ref *_sequence) != seen)
                {
                    return true;
                }
                Thread.SpinWait(20);
            }
        }
        Interlocked.Increment(ref *_sleepers);
        try
        {
            if (Volatile.Read(ref *_sequence) != seen || _closed || cancellationToken.IsCancellationRequested)
            {
                return Volatile.Read(ref *_sequence) != seen;
            }
            using var wake = cancellationToken.CanBeCanceled
                ? cancellationToken.UnsafeRegister(static state => ((SharedSequence)state!).WakeSleepers(), this)
                : default;
            BeforeSleep?.Invoke();
            SharedMemoryNative.Wait(_sequence, seen, milliseconds);
            return Volatile.Read(ref *_sequence) != seen;
        }
        finally
        {
            Interlocked.Decrement(ref *_sleepers);
        }
    }

    /// <summary>Wakes sleepers without a change (a cancelled waiter in this process must look at its token).</summary>
    private void WakeSleepers()
    {
        bool added = false;
        try
        {
            _mapping.DangerousAddRef(ref added);
            SharedMemoryNative.WakeAll(_sequence);
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            if (added)
            {
                _mapping.DangerousRelease();
            }
        }
    }

    /// <summary>Used by <see cref="ChangeWatcher"/>: the current sequence.</summary>
    /// <exception cref="ObjectDisposedException">The object was closed.</exception>
    internal int CurrentSequence
    {
        get
        {
            using var use = Use();
            return Volatile.Read(ref *_sequence);
        }
    }

    /// <summary>Used by <see cref="ChangeWatcher"/>: sleeps until the sequence differs from <paramref name="seen"/>, at most <paramref name="milliseconds"/>.</summary>
    /// <exception cref="ObjectDisposedException">The object was closed.</exception>
    internal void SleepWhile(int seen, int milliseconds)
    {
        using var use = Use();
        Interlocked.Increment(ref *_sleepers);
        try
        {
            if (Volatile.Read(ref *_sequence) == seen && !_closed)
            {
                SharedMemoryNative.Wait(_sequence, seen, milliseconds);
            }
        }
        finally
        {
            Interlocked.Decrement(ref *_sleepers);
        }
    }

    /// <summary>Used by <see cref="ChangeWatcher"/>: wakes its own sleep, for a new waiter or a stop.</summary>
    internal void Nudge() => WakeSleepers();

    private MappingUse Use()
    {
        if (_closed)
        {
            throw new ObjectDisposedException(nameof(SharedSequence));
        }
        bool added = false;
        _mapping.DangerousAddRef(ref added);
        return new MappingUse(_mapping);
    }

    /// <summary>A reference to the mapping for one call.</summary>
    private readonly struct MappingUse(SharedMapping mapping) : IDisposable
    {
        public void Dispose() => mapping.DangerousRelease();
    }
}
