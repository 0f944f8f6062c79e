using System.Diagnostics;
using Concur.Threading.Internal;

namespace Concur.Ipc.Internal;

/// <summary>
/// The engine of the process queues: whole messages in a ring of anonymous shared memory that any number of
/// processes map, with one robust lock per side, counts kept in the same words as the ring's positions, and waits on
/// futexes. Nothing in it belongs to one process: any participant may die at any instruction and the others go on.
/// </summary>
/// <remarks>
/// <code>
///  producers ─► put gate (this process) ─► producer lock (shared, owner pid) ─► records at tail ─► commit tail word
///                                                                                                        │
///  ring: [header 4 KiB][ records: [length | flags | pid | total][payload, padded to 16] ... 1 GiB virtual ]
///                                                                                                        │
///  consumers ◄─ get gate (this process) ◄─ consumer lock (shared, owner pid) ◄─ records at head ◄─ commit head word
/// </code>
/// <para>
/// <b>Whole or not at all.</b> A message is one record, or several (first, middle, last) when it is larger than
/// <see cref="MaxRecordPayload"/>. A producer writes a record's bytes first and then publishes it with one 64-bit store
/// of the tail word, which also carries the count of whole messages ever put; a consumer copies a record out and then
/// publishes the new head with one store of the head word, which carries the count of whole messages ever taken. A
/// process killed before its store leaves the ring as it was. A message whose producer stopped between records (killed,
/// cancelled, timed out) is torn: the consumer assembling it sees the next message's first record, or finds the
/// producer lock no longer held by that producer, and drops the parts; parts without a first record are skipped.
/// </para>
/// <para>
/// <b>Locks that survive their holder.</b> A lock word holds the owner's process id (0 when free). A waiter that has
/// seen no change for one slice (<see cref="LockSlice"/>) checks whether the owner still runs and takes the lock over
/// when it does not: the next waiter goes on within tens of milliseconds of a SIGKILL (<see cref="RobustLockWord"/>,
/// shared with <c>ProcessLock</c>). There is nothing to repair
/// after a takeover, because nothing is published before it is whole. Within a process, threads first take a
/// <see cref="SemaphoreSlim"/> gate per side, so the shared lock only ever arbitrates between processes.
/// </para>
/// <para>
/// <b>Waiting.</b> Every change anyone publishes (a record, a head, a task done, a lock released with waiters)
/// increments one sequence word and wakes its sleepers with one futex call when there are any. A waiter reads the
/// sequence, looks at the state, and sleeps only while the sequence still holds what it read, so no wake-up is lost.
/// Blocking waits spin briefly first; asynchronous ones are served by one thread per queue object
/// (<see cref="SharedSequence"/>, shared with the process locks and events).
/// </para>
/// <para>
/// <b>Memory.</b> The ring is 1 GiB of address space, backed only where written: once a consumer has moved past a
/// 1 MiB segment, it returns the segment's pages to the system before publishing the head, so an unbounded queue
/// holds what is unread and no more, and a producer never blocks until 1 GiB is unread.
/// </para>
/// </remarks>
internal sealed partial class QueueRing : IDisposable
{
    /// <summary>The size of the header before the ring.</summary>
    public const int HeaderSize = 4096;

    /// <summary>The size of the ring: positions are 32-bit and wrap, so it must be a power of two below 2^32.</summary>
    public const uint RingSize = 1u << 30;

    /// <summary>The largest payload of one record; larger messages span several.</summary>
    public const int MaxRecordPayload = 1 << 20;

    /// <summary>The largest message a queue carries, in bytes.</summary>
    public const int MaxMessageSize = 128 * 1024 * 1024;

    /// <summary>
    /// How long a call that may not wait (a zero timeout: <c>TryPut</c>, <c>TryGet</c>) still waits for a lock that
    /// another process holds: critical sections last microseconds, so "full" or "empty" is never reported only because
    /// another participant was inside the queue, and a dead holder is taken over within it.
    /// </summary>
    private static readonly TimeSpan s_lockGrace = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a waiter sleeps before it checks a lock owner's or a producer's life.</summary>
    private const int LockSlice = 10;

    /// <summary>How long any other waiter sleeps before it looks again.</summary>
    private const int IdleSlice = 250;

    private const ulong Magic = 0x3151_5255_434E_4F43; // "CONCURQ1"
    private const int Version = 2;
    private const int SegmentShift = 20;

    private const int MagicOffset = 0;
    private const int VersionOffset = 8;
    private const int RingSizeOffset = 12;
    private const int MaxSizeOffset = 16;
    private const int KindOffset = 20;
    private const int ProducerLockOffset = 64;
    private const int ProducerLockWaitersOffset = 68;
    private const int ConsumerLockOffset = 128;
    private const int ConsumerLockWaitersOffset = 132;
    private const int TailOffset = 192;
    private const int HeadOffset = 256;
    private const int DoneOffset = 320;
    private const int DataSequenceOffset = 384;
    private const int DataSleepersOffset = 388;
    private const int RoomSequenceOffset = 448;
    private const int RoomSleepersOffset = 452;
    private const int DoneSequenceOffset = 512;
    private const int DoneSleepersOffset = 516;
    private const int ProducerTurnSequenceOffset = 576;
    private const int ProducerTurnSleepersOffset = 580;
    private const int ConsumerTurnSequenceOffset = 640;
    private const int ConsumerTurnSleepersOffset = 644;

    private static int s_created;

    private readonly SharedMapping _mapping;
    private readonly unsafe byte* _header;
    private readonly unsafe byte* _ring;
    private readonly int _pid = Environment.ProcessId;
    private readonly SemaphoreSlim _putGate = new(1, 1);
    private readonly SemaphoreSlim _getGate = new(1, 1);
    /// <summary>Moves when a record is published: consumers wait on it.</summary>
    private readonly SharedSequence _data;

    /// <summary>Moves when a head is published: producers waiting for room wait on it.</summary>
    private readonly SharedSequence _room;

    /// <summary>Moves when an item is marked done: joiners wait on it.</summary>
    private readonly SharedSequence _done;

    /// <summary>Moves when the producer lock is released while someone waits for it.</summary>
    private readonly SharedSequence _producerTurn;

    /// <summary>Moves when the consumer lock is released while someone waits for it.</summary>
    private readonly SharedSequence _consumerTurn;
    private readonly RobustLockWord _producerLock;
    private readonly RobustLockWord _consumerLock;
    private volatile bool _disposed;
    private int _lockTakeovers;

    private unsafe QueueRing(SharedMapping mapping)
    {
        _mapping = mapping;
        _header = mapping.Address;
        _ring = mapping.Address + HeaderSize;
        _data = Sequence(mapping, DataSequenceOffset, DataSleepersOffset, "items");
        _room = Sequence(mapping, RoomSequenceOffset, RoomSleepersOffset, "room");
        _done = Sequence(mapping, DoneSequenceOffset, DoneSleepersOffset, "done");
        _producerTurn = Sequence(mapping, ProducerTurnSequenceOffset, ProducerTurnSleepersOffset, "producer lock");
        _consumerTurn = Sequence(mapping, ConsumerTurnSequenceOffset, ConsumerTurnSleepersOffset, "consumer lock");
        _producerLock = new RobustLockWord(_header + ProducerLockOffset, _header + ProducerLockWaitersOffset);
        _consumerLock = new RobustLockWord(_header + ConsumerLockOffset, _header + ConsumerLockWaitersOffset);
    }

    /// <summary>
    /// Gets or sets a hook that kill-at-point tests set in a child process: called at each <see cref="QueueStep"/>, it
    /// stops the participant there (and tells the test) so that the test can SIGKILL it at that point. Never set in
    /// production code.
    /// </summary>
    internal static Action<QueueRing, QueueStep>? KillPoint { get; set; }

    /// <summary>Gets the bound on whole messages waiting (0 for none), fixed when the queue was created.</summary>
    public unsafe int MaxSize => Volatile.Read(ref *(int*)(_header + MaxSizeOffset));

    /// <summary>Gets what the creator recorded about the queue's kind (see the public types), for checks when attaching.</summary>
    public unsafe int Kind => Volatile.Read(ref *(int*)(_header + KindOffset));

    /// <summary>Gets the name the shared memory shows as (<c>memfd:&lt;name&gt;</c>) in <c>/proc/&lt;pid&gt;/fd</c> and <c>/proc/&lt;pid&gt;/maps</c>.</summary>
    /// <remarks>Known in the process that created the queue; <see langword="null"/> in the others.</remarks>
    public string? MemoryName { get; private init; }

    /// <summary>Gets the shared memory, which another process needs to attach.</summary>
    public Microsoft.Win32.SafeHandles.SafeFileHandle Memory => _mapping.Memory;

    /// <summary>Gets how many times this process took a lock over from a dead owner (for tests and diagnostics).</summary>
    public int LockTakeovers => Volatile.Read(ref _lockTakeovers);

    /// <summary>Gets the number of whole messages put and not yet taken, across all processes.</summary>
    public int Count
    {
        get
        {
            using var use = Use();
            return Waiting(Volatile.Read(ref TailWord), Volatile.Read(ref HeadWord));
        }
    }

    /// <summary>Gets the number of messages put and not yet marked done (<c>JoinableProcessQueue</c>).</summary>
    public long Unfinished
    {
        get
        {
            using var use = Use();
            return (uint)((uint)(Volatile.Read(ref TailWord) >> 32) - Volatile.Read(ref DoneCount));
        }
    }

    private unsafe ref ulong TailWord => ref *(ulong*)(_header + TailOffset);

    private unsafe ref ulong HeadWord => ref *(ulong*)(_header + HeadOffset);

    private unsafe ref uint DoneCount => ref *(uint*)(_header + DoneOffset);

    /// <summary>Creates a queue in new shared memory.</summary>
    public static unsafe QueueRing Create(int maxSize, int kind)
    {
        SharedMemoryNative.ThrowIfUnsupported("A process queue");
        // The name shows in /proc/<pid>/fd and /proc/<pid>/maps of every process that holds the queue (memfd:<name>),
        // which tells a person, and the tests, which queue it is; it names nothing in any file system.
        string name = $"concur-queue-{Environment.ProcessId}-{Interlocked.Increment(ref s_created)}";
        var mapping = SharedMapping.Create(name, HeaderSize + (long)RingSize);
        byte* header = mapping.Address;
        *(int*)(header + VersionOffset) = Version;
        *(uint*)(header + RingSizeOffset) = RingSize;
        *(int*)(header + MaxSizeOffset) = maxSize;
        *(int*)(header + KindOffset) = kind;
        Volatile.Write(ref *(ulong*)(header + MagicOffset), Magic);
        return new QueueRing(mapping) { MemoryName = name };
    }

    /// <summary>Attaches to a queue that another process created, from its shared memory (owned from now on).</summary>
    /// <exception cref="InvalidDataException">The memory is not a queue of this version.</exception>
    public static unsafe QueueRing Attach(Microsoft.Win32.SafeHandles.SafeFileHandle memory)
    {
        SharedMemoryNative.ThrowIfUnsupported("A process queue");
        var mapping = SharedMapping.Attach(memory);
        byte* header = mapping.Address;
        if (mapping.Length != HeaderSize + (long)RingSize ||
            Volatile.Read(ref *(ulong*)(header + MagicOffset)) != Magic ||
            *(int*)(header + VersionOffset) != Version ||
            *(uint*)(header + RingSizeOffset) != RingSize)
        {
            mapping.Dispose();
            throw new InvalidDataException(
                "The shared memory received for a process queue is not a queue of this version of Concur: every process must use the same Concur.dll.");
        }
        return new QueueRing(mapping);
    }

    /// <summary>
    /// Closes this process's view of the queue: blocked calls in this process end with
    /// <see cref="ObjectDisposedException"/>; the queue itself lives while any process has it open.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        // Wakes this process's sleepers (and, harmlessly, other processes', which look and sleep again).
        _data.Close();
        _room.Close();
        _done.Close();
        _producerTurn.Close();
        _consumerTurn.Close();
        _mapping.Dispose();
    }

    /// <summary>Marks one message as handled; refuses when every message put has been marked.</summary>
    /// <exception cref="InvalidOperationException">Called more times than messages were put.</exception>
    public void TaskDone()
    {
        using var use = Use();
        while (true)
        {
            uint done = Volatile.Read(ref DoneCount);
            uint puts = (uint)(Volatile.Read(ref TailWord) >> 32);
            if (done == puts)
            {
                throw new InvalidOperationException(
                    "TaskDone() was called more times than items were put into the queue (Python's ValueError: task_done() called too many times).");
            }
            if (Interlocked.CompareExchange(ref DoneCount, done + 1, done) == done)
            {
                _done.Publish();
                return;
            }
        }
    }

    /// <summary>Waits until every message put has been marked done.</summary>
    /// <returns><see langword="false"/> when <paramref name="timeout"/> passed first.</returns>
    public async ValueTask<bool> JoinAsync(bool sync, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var deadline = Deadline.Start(timeout);
        using var use = Use();
        while (true)
        {
            ThrowIfDisposed();
            int seen = _done.Read();
            if (Volatile.Read(ref DoneCount) == (uint)(Volatile.Read(ref TailWord) >> 32))
            {
                return true;
            }
            if (deadline.Remaining == TimeSpan.Zero)
            {
                return false;
            }
            await WaitForChangeAsync(sync, _done, seen, IdleSlice, deadline, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The deadline for taking a lock: the call's own, but never shorter than <see cref="s_lockGrace"/>.</summary>
    private static Deadline LockDeadline(TimeSpan timeout) =>
        Deadline.Start(timeout == Timeout.InfiniteTimeSpan ? null : (timeout > s_lockGrace ? timeout : s_lockGrace));

    private static int Waiting(ulong tail, ulong head) => Math.Max(0, (int)((uint)(tail >> 32) - (uint)(head >> 32)));

    private static uint Padded(int length) => (uint)((length + 15) & ~15);

    /// <summary>Holds the mapping for the duration of an operation, so a concurrent dispose cannot unmap it under the caller.</summary>
    private MappingUse Use()
    {
        ThrowIfDisposed();
        bool added = false;
        try
        {
            _mapping.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            throw Disposed();
        }
        return new MappingUse(_mapping);
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> when this process has disposed of its view.</summary>
    internal void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw Disposed();
        }
    }

    private static ObjectDisposedException Disposed() =>
        new("ProcessQueue", "This process has disposed of its queue object; other processes can still use the queue through theirs.");

    private SharedSequence Sequence(SharedMapping mapping, int sequenceOffset, int sleepersOffset, string what) =>
        new(mapping, sequenceOffset, sleepersOffset, $"Concur process queue (async waits for {what})")
        {
            BeforeSleep = () => KillPoint?.Invoke(this, QueueStep.Sleeping),
        };

    private SharedSequence Turn(bool producer) => producer ? _producerTurn : _consumerTurn;

    private RobustLockWord LockWord(bool producer) => producer ? _producerLock : _consumerLock;

    /// <summary>Takes a shared lock if it is free, or if <paramref name="checkOwner"/> and its owner no longer runs.</summary>
    private bool TryLock(bool producer, bool checkOwner)
    {
        switch (LockWord(producer).TryLock(_pid, checkOwner))
        {
            case LockAttempt.TookOver:
                Interlocked.Increment(ref _lockTakeovers);
                return true;
            case LockAttempt.Taken:
                return true;
            default:
                return false;
        }
    }

    private void Unlock(bool producer)
    {
        bool held = LockWord(producer).Unlock(_pid, Turn(producer));
        Debug.Assert(held, "Unlocking a lock this process does not hold.");
    }

    /// <summary>Waits for the shared lock to change hands, as one slice; returns whether anything changed.</summary>
    private async ValueTask<bool> WaitForLockAsync(bool sync, bool producer, int seen, Deadline deadline, CancellationToken cancellationToken)
    {
        int milliseconds = deadline.IsInfinite ? LockSlice : Math.Min(LockSlice, deadline.RemainingMilliseconds);
        bool changed = await LockWord(producer).WaitAsync(sync, Turn(producer), seen, milliseconds, cancellationToken).ConfigureAwait(false);
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        return changed;
    }

    /// <summary>
    /// Waits until the change sequence differs from <paramref name="seen"/>, at most <paramref name="slice"/>
    /// milliseconds and no later than <paramref name="deadline"/>. Returns whether it changed.
    /// </summary>
    private async ValueTask<bool> WaitForChangeAsync(bool sync, SharedSequence sequence, int seen, int slice, Deadline deadline, CancellationToken cancellationToken)
    {
        int milliseconds = deadline.IsInfinite ? slice : Math.Min(slice, deadline.RemainingMilliseconds);
        bool changed = await sequence.WaitAsync(sync, seen, milliseconds, cancellationToken).ConfigureAwait(false);
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        return changed;
    }

    private unsafe void CopyIn(uint position, ReadOnlySpan<byte> source)
    {
        uint index = position & (RingSize - 1);
        int first = (int)Math.Min((uint)source.Length, RingSize - index);
        source[..first].CopyTo(new Span<byte>(_ring + index, first));
        if (first < source.Length)
        {
            source[first..].CopyTo(new Span<byte>(_ring, source.Length - first));
        }
    }

    private unsafe void CopyOut(uint position, Span<byte> destination)
    {
        uint index = position & (RingSize - 1);
        int first = (int)Math.Min((uint)destination.Length, RingSize - index);
        new ReadOnlySpan<byte>(_ring + index, first).CopyTo(destination);
        if (first < destination.Length)
        {
            new ReadOnlySpan<byte>(_ring, destination.Length - first).CopyTo(destination[first..]);
        }
    }

    /// <summary>A record's header, 16 bytes at a 16-byte boundary of the ring (so it never wraps).</summary>
    private struct RecordHeader
    {
        public int Length;
        public int Flags;
        public int Producer;
        public int Total;
    }

    [Flags]
    private enum RecordFlags
    {
        None = 0,
        First = 1,
        Last = 2,
    }

    /// <summary>A reference to the mapping for one operation.</summary>
    private readonly struct MappingUse(SharedMapping mapping) : IDisposable
    {
        public void Dispose() => mapping.DangerousRelease();
    }
}
