using System.Buffers;
using Concur.Threading.Internal;

namespace Concur.Ipc.Internal;

/// <summary>The consumer side of <see cref="QueueRing"/>.</summary>
internal sealed partial class QueueRing
{
    /// <summary>Bodies up to this size come from the shared array pool; the caller returns them (<see cref="Message.Return"/>).</summary>
    private const int PooledBody = 1024 * 1024;

    /// <summary>
    /// Takes the next whole message, waiting up to <paramref name="timeout"/> for one. Once the first part of a large
    /// message has been taken, the rest is awaited regardless of the timeout and the token (giving up would drop the
    /// message for everyone), until it arrives or its producer is gone.
    /// </summary>
    /// <returns>The message, or <see langword="null"/> when the time ran out.</returns>
    /// <exception cref="OperationCanceledException">Cancelled; nothing was taken.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    /// <exception cref="InvalidDataException">The shared memory holds something no Concur producer writes.</exception>
    public async ValueTask<Message?> GetAsync(bool sync, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var deadline = Deadline.Start(timeout);
        var lockDeadline = LockDeadline(timeout);
        using var use = Use();
        if (!await EnterAsync(sync, _getGate, lockDeadline, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        bool locked = false;
        Message? partial = null;
        try
        {
            bool stale = false;
            while (true)
            {
                ThrowIfDisposed();
                int data = _data.Read();
                int turn = _consumerTurn.Read();
                if (!locked)
                {
                    if ((uint)Volatile.Read(ref TailWord) == (uint)Volatile.Read(ref HeadWord))
                    {
                        if (deadline.Remaining == TimeSpan.Zero)
                        {
                            return null;
                        }
                        await WaitForChangeAsync(sync, _data, data, IdleSlice, deadline, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                    if (!TryLock(producer: false, stale))
                    {
                        if (lockDeadline.Remaining == TimeSpan.Zero)
                        {
                            return null;
                        }
                        stale = !await WaitForLockAsync(sync, producer: false, turn, lockDeadline, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                    locked = true;
                    stale = false;
                    KillPoint?.Invoke(this, QueueStep.GetLocked);
                }
                if (TryTake(ref partial) is Message message)
                {
                    return message;
                }
                if (partial is null)
                {
                    Unlock(producer: false);
                    locked = false;
                    continue;
                }
                // The rest of a large message is on its way; its producer holds the producer lock until it is whole.
                if (stale && IsTorn(partial))
                {
                    partial.Return();
                    partial = null;
                    stale = false;
                    continue;
                }
                stale = !await WaitForChangeAsync(sync, _data, data, LockSlice, Deadline.Start(null), CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            partial?.Return();
            if (locked)
            {
                Unlock(producer: false);
            }
            _getGate.Release();
        }
    }

    /// <summary>
    /// Takes records at the head until a message is whole or the ring is empty. Under the consumer lock.
    /// <paramref name="partial"/> carries a large message across calls.
    /// </summary>
    private unsafe Message? TryTake(ref Message? partial)
    {
        while (true)
        {
            ulong headWord = Volatile.Read(ref HeadWord);
            uint head = (uint)headWord;
            uint tail = (uint)Volatile.Read(ref TailWord);
            if (head == tail)
            {
                return null;
            }
            RecordHeader record = *(RecordHeader*)(_ring + (head & (RingSize - 1)));
            var flags = (RecordFlags)record.Flags;
            uint size = (uint)sizeof(RecordHeader) + Padded(record.Length);
            if (record.Length < 0 || record.Length > MaxRecordPayload || size > tail - head ||
                record.Total < 0 || record.Total > MaxMessageSize || (flags & ~(RecordFlags.First | RecordFlags.Last)) != 0)
            {
                throw Corrupt($"a record at position {head:N0} claims {record.Length:N0} bytes of a {record.Total:N0}-byte message with flags {record.Flags}");
            }
            bool first = (flags & RecordFlags.First) != 0;
            bool last = (flags & RecordFlags.Last) != 0;
            if (first && partial is not null)
            {
                // The message being assembled was cut short (its producer died or gave up): drop it, keep this one.
                partial.Return();
                partial = null;
            }
            if (!first && (partial is null || partial.Producer != record.Producer))
            {
                // A part of a message whose start was taken by a consumer that died: skip it. Its last record ends a
                // message that was counted as put (its producer finished it), so skipping that one counts it as taken.
                Advance(headWord, size, completed: last);
                continue;
            }
            if (first)
            {
                if (last && record.Length != record.Total)
                {
                    throw Corrupt($"a one-record message at position {head:N0} holds {record.Length:N0} of {record.Total:N0} bytes");
                }
                partial = Message.Rent(record.Total, record.Producer);
            }
            Message current = partial!;
            if (current.Filled + record.Length > current.Length)
            {
                throw Corrupt($"the parts of a {current.Length:N0}-byte message add up to more than that");
            }
            CopyOut(head + (uint)sizeof(RecordHeader), current.Buffer.AsSpan(current.Filled, record.Length));
            current.Filled += record.Length;
            if (last)
            {
                if (current.Filled != current.Length)
                {
                    throw Corrupt($"a {current.Length:N0}-byte message ended after {current.Filled:N0} bytes");
                }
                KillPoint?.Invoke(this, QueueStep.GetRecordCopied);
                Advance(headWord, size, completed: true);
                partial = null;
                return current;
            }
            Advance(headWord, size, completed: false);
            KillPoint?.Invoke(this, QueueStep.GetBetweenRecords);
        }
    }

    /// <summary>Whether the producer of <paramref name="partial"/> stopped before its last record. Under the consumer lock.</summary>
    private bool IsTorn(Message partial)
    {
        int owner = _producerLock.Owner;
        bool producing = owner == partial.Producer && SharedMemoryNative.IsAlive(owner);
        // Records are published before the lock is released: read the tail after the owner.
        return !producing && (uint)Volatile.Read(ref TailWord) == (uint)Volatile.Read(ref HeadWord);
    }

    /// <summary>Publishes a new head past one record; returns the memory of segments left behind first.</summary>
    private unsafe void Advance(ulong headWord, uint size, bool completed)
    {
        uint head = (uint)headWord;
        uint next = head + size;
        uint firstSegment = head >> SegmentShift;
        uint nextSegment = next >> SegmentShift;
        for (uint segment = firstSegment; segment != nextSegment; segment++)
        {
            // Before the head moves past it, no producer may write there: the pages go back to the system and the
            // next write there gets fresh zeroed ones.
            uint index = (segment << SegmentShift) & (RingSize - 1);
            SharedMemoryNative.Release(_ring + index, 1 << SegmentShift);
        }
        ulong gets = (headWord >> 32) + (completed ? 1u : 0u);
        Volatile.Write(ref HeadWord, ((gets & uint.MaxValue) << 32) | next);
        _room.Publish();
    }

    private static InvalidDataException Corrupt(string what) =>
        new($"The process queue's shared memory is corrupt: {what}. A process other than Concur's code wrote into it; the queue cannot be used any more.");

    /// <summary>A message taken from the ring: its body in an array that may come from the shared pool.</summary>
    internal sealed class Message
    {
        private Message(byte[] buffer, int length, int producer, bool pooled)
        {
            Buffer = buffer;
            Length = length;
            Producer = producer;
            Pooled = pooled;
        }

        /// <summary>Gets the array holding the body in its first <see cref="Length"/> bytes.</summary>
        public byte[] Buffer { get; }

        /// <summary>Gets the body's length.</summary>
        public int Length { get; }

        /// <summary>Gets the producer's process id.</summary>
        public int Producer { get; }

        /// <summary>Gets or sets how many bytes of the body have arrived.</summary>
        public int Filled { get; set; }

        /// <summary>Gets the body.</summary>
        public ReadOnlyMemory<byte> Body => Buffer.AsMemory(0, Length);

        private bool Pooled { get; }

        /// <summary>Gets an array for a body of <paramref name="length"/> bytes.</summary>
        public static Message Rent(int length, int producer) =>
            length <= PooledBody
                ? new Message(ArrayPool<byte>.Shared.Rent(length), length, producer, pooled: true)
                : new Message(GC.AllocateUninitializedArray<byte>(length), length, producer, pooled: false);

        /// <summary>Gives a pooled array back. Call once, when the body has been read.</summary>
        public void Return()
        {
            if (Pooled)
            {
                ArrayPool<byte>.Shared.Return(Buffer);
            }
        }
    }
}
